package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"shebao/internal/clock"
)

// WeChatAPI is the real base address of the WeChat Official Account API.
const WeChatAPI = "https://api.weixin.qq.com"

// WeChatOA sends template messages through a WeChat Official Account
// (服务号): it fetches an access token with the account's app ID and
// secret, caches it until shortly before it expires (one fetch at a time
// however many sends run), and posts /cgi-bin/message/template/send to the
// recipient's OpenID. Errors are sorted for the outbox: a busy or
// unreachable API is retried with the outbox's backoff; a bad OpenID, an
// unsubscribed user or a bad template fails the row with a Chinese reason;
// a wrong app ID or secret holds every row until the configuration is fixed.
// Neither the secret nor the token is ever logged or stored in an error.
type WeChatOA struct {
	AppID, Secret string
	// BaseURL is the API address (default WeChatAPI); tests and staging
	// point it to a fake.
	BaseURL string
	// Template is the default template ID; Templates overrides it per
	// message kind ("case", or "appointment" for "appointment.reminder").
	Template  string
	Templates map[string]string
	// PortalURL, when set, is the public address of the portal: the
	// message links to the recipient's inbox there.
	PortalURL string
	Client    *http.Client
	Clock     clock.Clock
	Log       *slog.Logger

	mu      sync.Mutex // held while the token is read or fetched
	token   string
	expires time.Time
}

// tokenMargin is how long before its stated expiry a token is replaced.
const tokenMargin = 5 * time.Minute

// Token error codes after which a fresh token is fetched and the send
// retried once: invalid credential, token expired, invalid token.
var tokenErrcodes = map[int]bool{40001: true, 42001: true, 40014: true}

// Send implements Provider.
func (w *WeChatOA) Send(ctx context.Context, d Delivery) error {
	tmpl := w.templateFor(d.Kind)
	if tmpl == "" {
		return &HoldError{Reason: "未配置微信模板消息的模板编号（--wechat-template）"}
	}
	if strings.TrimSpace(d.To) == "" {
		return &PermanentError{Err: errors.New("收件人未绑定微信")}
	}
	body, err := json.Marshal(w.message(d, tmpl))
	if err != nil {
		return &PermanentError{Err: fmt.Errorf("微信消息无法编码: %w", err)}
	}
	for try := 0; ; try++ {
		tok, err := w.accessToken(ctx)
		if err != nil {
			return err
		}
		code, msg, err := w.post(ctx, "/cgi-bin/message/template/send?access_token="+url.QueryEscape(tok), body)
		if err != nil {
			return err
		}
		if tokenErrcodes[code] && try == 0 {
			w.invalidate(tok)
			continue
		}
		if code != 0 {
			w.logger().Warn("wechat template message refused", "outbox_id", d.ID, "openid", MaskRecipient(WeChat, d.To), "errcode", code, "errmsg", msg)
		}
		return sendOutcome(code)
	}
}

// sendOutcome maps a template send's errcode to the outbox's outcome.
func sendOutcome(code int) error {
	switch code {
	case 0:
		return nil
	case 40003:
		return &PermanentError{Err: errors.New("收件人的微信绑定无效（服务号中无此用户，错误码 40003），请其重新绑定微信")}
	case 43004:
		return &PermanentError{Err: errors.New("收件人未关注或已取消关注本服务号（错误码 43004），无法推送微信消息")}
	case 40037:
		return &PermanentError{Err: errors.New("微信模板编号无效（错误码 40037），请检查模板配置")}
	case 47001, 44002:
		return &PermanentError{Err: fmt.Errorf("微信消息内容格式有误（错误码 %d）", code)}
	case -1:
		return errors.New("微信系统繁忙（错误码 -1），稍后自动重试")
	case 45009:
		return errors.New("微信接口调用超过当日限额（错误码 45009），稍后自动重试")
	}
	if tokenErrcodes[code] {
		return fmt.Errorf("微信访问凭证无效（错误码 %d），稍后自动重试", code)
	}
	return fmt.Errorf("微信接口返回错误（错误码 %d），稍后自动重试", code)
}

// tokenOutcome maps a token fetch's errcode: a wrong app ID or secret, or
// a server not on the account's IP allowlist, holds rows without counting
// attempts (every message would fail the same way until it is fixed).
func tokenOutcome(code int) error {
	switch code {
	case 40013:
		return &HoldError{Reason: "微信服务号应用编号无效（错误码 40013），请检查 --wechat-app-id"}
	case 40001, 40125:
		return &HoldError{Reason: fmt.Sprintf("微信服务号密钥无效（错误码 %d），请检查 SHEBAO_WECHAT_SECRET", code)}
	case 40164:
		return &HoldError{Reason: "本服务器地址不在微信服务号的接口白名单中（错误码 40164），请在公众平台添加"}
	case -1:
		return errors.New("微信系统繁忙（错误码 -1），获取访问凭证失败，稍后自动重试")
	}
	return fmt.Errorf("获取微信访问凭证失败（错误码 %d），稍后自动重试", code)
}

// accessToken returns the cached token or fetches one. The lock is held
// during the fetch, so concurrent sends wait for one fetch instead of
// each invalidating the others' tokens.
func (w *WeChatOA) accessToken(ctx context.Context) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	if w.token != "" && now.Before(w.expires) {
		return w.token, nil
	}
	q := url.Values{"grant_type": {"client_credential"}, "appid": {w.AppID}, "secret": {w.Secret}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.base()+"/cgi-bin/token?"+q.Encode(), nil)
	if err != nil {
		return "", &PermanentError{Err: errors.New("微信接口地址无效，请检查 --wechat-api")}
	}
	var r struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		Errcode     int    `json:"errcode"`
	}
	if err := w.do(req, &r); err != nil {
		return "", err
	}
	if r.Errcode != 0 || r.AccessToken == "" {
		return "", tokenOutcome(r.Errcode)
	}
	life := time.Duration(r.ExpiresIn) * time.Second
	if life > 2*tokenMargin {
		life -= tokenMargin
	} else {
		life /= 2
	}
	w.token, w.expires = r.AccessToken, now.Add(life)
	w.logger().Info("wechat access token fetched", "expires_in", r.ExpiresIn)
	return w.token, nil
}

// invalidate drops the cached token if it is still tok (another send may
// have replaced it already).
func (w *WeChatOA) invalidate(tok string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.token == tok {
		w.token = ""
	}
}

// post sends a JSON body and returns the answer's errcode and errmsg.
func (w *WeChatOA) post(ctx context.Context, path string, body []byte) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.base()+path, bytes.NewReader(body))
	if err != nil {
		return 0, "", &PermanentError{Err: errors.New("微信接口地址无效，请检查 --wechat-api")}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	var r struct {
		Errcode int    `json:"errcode"`
		Errmsg  string `json:"errmsg"`
	}
	if err := w.do(req, &r); err != nil {
		return 0, "", err
	}
	return r.Errcode, r.Errmsg, nil
}

// do performs a request and decodes its JSON answer. Errors never carry
// the URL: it holds the secret or the token.
func (w *WeChatOA) do(req *http.Request, into any) error {
	c := w.Client
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		w.logger().Warn("wechat api unreachable", "path", req.URL.Path, "err", err)
		return errors.New("无法连接微信接口（网络故障或超时），稍后自动重试")
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return errors.New("读取微信接口应答失败，稍后自动重试")
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("微信接口暂不可用（服务器状态码 %d），稍后自动重试", resp.StatusCode)
	}
	if err := json.Unmarshal(raw, into); err != nil {
		return errors.New("微信接口应答无法识别，稍后自动重试")
	}
	return nil
}

// templateFor returns the template ID of a message kind: an exact match,
// then the kind's first part ("appointment" for "appointment.reminder"),
// then the default.
func (w *WeChatOA) templateFor(kind string) string {
	if t := w.Templates[kind]; t != "" {
		return t
	}
	if i := strings.IndexByte(kind, '.'); i > 0 {
		if t := w.Templates[kind[:i]]; t != "" {
			return t
		}
	}
	return w.Template
}

type wxValue struct {
	Value string `json:"value"`
	Color string `json:"color,omitempty"`
}

type wxMessage struct {
	ToUser     string             `json:"touser"`
	TemplateID string             `json:"template_id"`
	URL        string             `json:"url,omitempty"`
	Data       map[string]wxValue `json:"data"`
}

// message fills the template's fields: first (the subject), keyword1 (the
// text, shortened), keyword2 (when it was written, Beijing time) and remark.
func (w *WeChatOA) message(d Delivery, tmpl string) wxMessage {
	m := wxMessage{ToUser: d.To, TemplateID: tmpl, Data: map[string]wxValue{
		"first":    {Value: d.Subject, Color: "#173177"},
		"keyword1": {Value: shorten(d.Body, 180)},
		"keyword2": {Value: d.CreatedAt.In(clock.Shanghai).Format("2006年01月02日 15:04")},
		"remark":   {Value: "详情请登录社会保险网上服务平台，在“我的消息”中查看。"},
	}}
	if w.PortalURL != "" {
		m.URL = strings.TrimRight(w.PortalURL, "/") + "/messages"
	}
	return m
}

func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func (w *WeChatOA) base() string {
	if w.BaseURL == "" {
		return WeChatAPI
	}
	return strings.TrimRight(w.BaseURL, "/")
}

func (w *WeChatOA) now() time.Time {
	if w.Clock == nil {
		return time.Now()
	}
	return w.Clock.Now()
}

func (w *WeChatOA) logger() *slog.Logger {
	if w.Log == nil {
		return slog.Default()
	}
	return w.Log
}

// ParseTemplates reads per-kind template IDs written as
// "case=ID1,appointment=ID2".
func ParseTemplates(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		kind, id, ok := strings.Cut(part, "=")
		kind, id = strings.TrimSpace(kind), strings.TrimSpace(id)
		if !ok || kind == "" || id == "" {
			return nil, fmt.Errorf("微信模板配置“%s”格式有误，应为 业务类别=模板编号，多个用逗号分隔", part)
		}
		out[kind] = id
	}
	return out, nil
}
