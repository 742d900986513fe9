package notify

import (
	"context"
	"database/sql"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// Prefs are the channels an insured person's or an employer's account
// wants notices on, besides the portal inbox (always), and the addresses
// for them.
type Prefs struct {
	Channels     []Channel
	Email        string
	Phone        string
	WeChatOpenID string
}

// Wants reports whether the channel is chosen.
func (p Prefs) Wants(ch Channel) bool { return slices.Contains(p.Channels, ch) }

func (p Prefs) address(ch Channel) string {
	switch ch {
	case Email:
		return p.Email
	case SMS:
		return p.Phone
	case WeChat:
		return p.WeChatOpenID
	}
	return ""
}

var (
	phoneRe  = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	openIDRe = regexp.MustCompile(`^[A-Za-z0-9_-]{20,64}$`)
)

// requirePrefs lets persons and employers choose their own channels.
func requirePrefs(a *access.Actor) error {
	if a == nil || a.UserID == 0 {
		return errs.LoginRequired()
	}
	if a.Role != access.RolePerson && a.Role != access.RoleEmployer {
		return errs.Forbid()
	}
	return nil
}

// MyPrefs returns the actor's notice channels (none chosen yet: only the
// portal inbox).
func (s *Service) MyPrefs(ctx context.Context, a *access.Actor) (Prefs, error) {
	if err := requirePrefs(a); err != nil {
		return Prefs{}, err
	}
	return loadPrefs(ctx, s.db.Read(), a.UserID)
}

func loadPrefs(ctx context.Context, q db.Querier, userID int64) (Prefs, error) {
	var p Prefs
	var chans string
	err := q.QueryRowContext(ctx, `SELECT channels, email, phone, wechat_openid FROM notify_prefs WHERE user_id = $1`, userID).
		Scan(&chans, &p.Email, &p.Phone, &p.WeChatOpenID)
	if db.IsNoRows(err) {
		return Prefs{}, nil
	}
	if err != nil {
		return Prefs{}, errs.Wrap(err, "get notify prefs")
	}
	for _, c := range strings.Split(chans, ",") {
		if c != "" {
			p.Channels = append(p.Channels, Channel(c))
		}
	}
	return p, nil
}

// validate checks each address given and that every chosen channel has one.
func (p *Prefs) validate() error {
	p.Email, p.Phone, p.WeChatOpenID = strings.TrimSpace(p.Email), strings.TrimSpace(p.Phone), strings.TrimSpace(p.WeChatOpenID)
	var f errs.Fields
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email || len(p.Email) > 200 {
			f.Add("email", "电子邮箱格式不正确，例如 zhang@example.com")
		}
	}
	if p.Phone != "" && !phoneRe.MatchString(p.Phone) {
		f.Add("phone", "手机号码应为 11 位数字，以 1 开头")
	}
	if p.WeChatOpenID != "" && !openIDRe.MatchString(p.WeChatOpenID) {
		f.Add("wechat_openid", "微信用户标识应为 20 至 64 位字母、数字、下划线或连字符，请从本机构服务号的“绑定”菜单复制")
	}
	field := map[Channel]string{Email: "email", SMS: "phone", WeChat: "wechat_openid"}
	var chosen []Channel
	for _, ch := range Channels {
		if !p.Wants(ch) {
			continue
		}
		chosen = append(chosen, ch)
		if p.address(ch) == "" && !f.Has(field[ch]) {
			f.Add(field[ch], fmt.Sprintf("已选择以%s接收通知，请填写%s", ch.Name(), map[Channel]string{Email: "电子邮箱", SMS: "手机号码", WeChat: "微信用户标识"}[ch]))
		}
	}
	for _, ch := range p.Channels {
		if !slices.Contains(Channels, ch) {
			f.Add("channels", "通知方式只能选择电子邮件、短信或微信")
			break
		}
	}
	p.Channels = chosen
	return f.Err()
}

func (p Prefs) joined() string {
	s := make([]string, len(p.Channels))
	for i, c := range p.Channels {
		s[i] = string(c)
	}
	return strings.Join(s, ",")
}

// auditView is what the audit log keeps of the preferences: the channels
// and masked addresses.
func (p Prefs) auditView() map[string]string {
	return map[string]string{"channels": p.joined(), "email": maskIf(Email, p.Email), "phone": maskIf(SMS, p.Phone),
		"wechat": maskIf(WeChat, p.WeChatOpenID)}
}

func maskIf(ch Channel, addr string) string {
	if addr == "" {
		return ""
	}
	return MaskRecipient(ch, addr)
}

// SetMyPrefs saves the actor's notice channels, audited. Errors: Invalid
// (fields named), Forbidden (staff and API clients).
func (s *Service) SetMyPrefs(ctx context.Context, a *access.Actor, p Prefs) error {
	if err := requirePrefs(a); err != nil {
		return err
	}
	if err := p.validate(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		before, err := loadPrefs(ctx, tx, a.UserID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_prefs (user_id, channels, email, phone, wechat_openid, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id) DO UPDATE SET channels = $2, email = $3, phone = $4,
			wechat_openid = $5, updated_at = $6`, a.UserID, p.joined(), p.Email, p.Phone, p.WeChatOpenID, s.clock.Now()); err != nil {
			return errs.Wrap(err, "save notify prefs")
		}
		return audit.NewService(s.db, s.clock).Record(ctx, tx, a, audit.Entry{Action: "notify.prefs", Entity: "notify_prefs",
			EntityID: fmt.Sprint(a.UserID), Before: before.auditView(), After: p.auditView()})
	})
}
