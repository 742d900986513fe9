package mailintake

import (
	"bytes"
	"path"
	"strings"
)

// SpamThreshold is the score at which a message is quarantined.
const SpamThreshold = 5

// spamScore rates a message with simple, explainable rules and returns the
// score and the reasons (Chinese, shown to the clerk).
func spamScore(p *parsed, envRcpts int) (int, []string) {
	score, why := 0, []string(nil)
	add := func(n int, reason string) { score += n; why = append(why, reason) }
	if p.FromEmail == "" {
		add(5, "缺少发件人地址")
	}
	if len(p.HeaderRcpts) > maxHeaderAddrs || envRcpts > 10 {
		add(3, "收件人过多")
	}
	h := p.Header
	if strings.EqualFold(strings.TrimSpace(h.Get("X-Spam-Flag")), "yes") ||
		strings.HasPrefix(strings.ToLower(strings.TrimSpace(h.Get("X-Spam-Status"))), "yes") {
		add(5, "上游服务器已标记为垃圾邮件")
	}
	if strings.EqualFold(h.Get("Precedence"), "bulk") || h.Get("List-Unsubscribe") != "" {
		add(2, "群发邮件")
	}
	for _, a := range p.Attachments {
		if executable(a) {
			add(5, "含可执行文件附件："+a.Name)
			break
		}
	}
	if p.Subject == "" && p.Body == "" && len(p.Attachments) == 0 {
		add(2, "没有主题、正文和附件")
	}
	return score, why
}

var execExt = map[string]bool{
	".exe": true, ".bat": true, ".cmd": true, ".com": true, ".scr": true, ".pif": true, ".js": true, ".jse": true,
	".vbs": true, ".vbe": true, ".wsf": true, ".jar": true, ".msi": true, ".ps1": true, ".hta": true, ".lnk": true, ".dll": true,
}

// executable reports an attachment that is a program by name or content
// (Windows PE "MZ", ELF, Mach-O, shell script).
func executable(a attachment) bool {
	if execExt[strings.ToLower(path.Ext(a.Name))] {
		return true
	}
	d := a.Data
	return bytes.HasPrefix(d, []byte("MZ")) || bytes.HasPrefix(d, []byte("\x7fELF")) ||
		bytes.HasPrefix(d, []byte("\xcf\xfa\xed\xfe")) || bytes.HasPrefix(d, []byte("#!"))
}
