package demo

import (
	"fmt"
	"io"
	"strings"
)

// PrintLogins writes the demo logins as a table (role, section, username,
// password) and the API keys, for `serve --demo` and `shebao demo`.
func PrintLogins(w io.Writer, res *Result) {
	if len(res.Logins) > 0 {
		fmt.Fprintln(w, "演示账号 / demo logins（演示账号无需首次登录改密 / not forced to change the password）:")
		rows := [][]string{{"角色 role", "科室/说明 section", "用户名 username", "密码 password"}}
		for _, l := range res.Logins {
			rows = append(rows, []string{l.Role, l.Section, l.Username, l.Password})
		}
		printTable(w, rows)
	}
	if len(res.APIKeys) > 0 {
		fmt.Fprintln(w, "\n接口密钥 / API keys（仅显示这一次 / shown once; header Authorization: Bearer <key>）:")
		rows := [][]string{{"类型 kind", "名称 name", "密钥 key"}}
		for _, k := range res.APIKeys {
			rows = append(rows, []string{k.Kind, k.Name, k.Key})
		}
		printTable(w, rows)
	}
}

// PrintSummary writes what was created and how long it took.
func PrintSummary(w io.Writer, res *Result) {
	fmt.Fprintf(w, "演示数据已生成 / demo district created: %d 个参保单位 employers, %d 名参保人员 persons（其中灵活就业 %d flexible）, "+
		"%d 段参保经历 employments, %d 件待审核登记申请 pending applications", res.Employers, res.Persons, res.Flexible,
		res.Employments, res.Applications)
	if res.Emergency {
		fmt.Fprint(w, ", 2024 年疫情应急期（2024-01-23 起，未结束）已宣布 / 2024 epidemic emergency declared")
	}
	if len(res.Months) > 0 {
		fmt.Fprintf(w, ", 已核定 %s 共 %d 张核定单（单位已确认 %d 张，银行到账 %d 笔） / %d bills assessed, %d confirmed, %d paid",
			strings.Join(res.Months, "、"), res.Bills, res.Confirmed, res.Paid, res.Bills, res.Confirmed, res.Paid)
		fmt.Fprintf(w, ", 此前的历史缴费记录 %d 条 / %d historical contribution records", res.Records, res.Records)
	}
	if res.Cases > 0 {
		fmt.Fprintf(w, ", 近两年业务 %d 件 / %d cases of the last two years", res.Cases, res.Cases)
	}
	if p := res.Pensions; p != nil && p.Retirees > 0 {
		fmt.Fprintf(w, ", 退休人员 %d 人（%d 人尚无社保卡），%s 养老金已发放 %d 笔 %s 元 / %d retirees (%d without a card), %s pensions paid",
			p.Retirees, p.WithoutCard, p.LastMonth, p.Paid, p.PaidFen, p.Retirees, p.WithoutCard, p.LastMonth)
	}
	if res.Deferred > 0 {
		fmt.Fprintf(w, ", 延期业务登记 %d 项 / %d deferred items registered", res.Deferred, res.Deferred)
	}
	fmt.Fprintf(w, " — %.1fs\n", res.Took.Seconds())
}

// Reminder is the one line `serve --demo` prints when the demo district
// already exists.
func Reminder(w io.Writer) {
	names := make([]string, len(staffLogins))
	for i, s := range staffLogins {
		names[i] = s.user
	}
	fmt.Fprintf(w, "演示数据已存在 / demo data present — 管理员 admin，各科室 %s，密码均为 / password %s\n",
		strings.Join(names, " "), Password)
}

// printTable pads columns by display width (a CJK character takes two).
func printTable(w io.Writer, rows [][]string) {
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], displayWidth(c))
		}
	}
	for n, r := range rows {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", width[i]-displayWidth(c)+2))
			}
		}
		fmt.Fprintln(w, "  "+b.String())
		if n == 0 {
			total := 0
			for _, x := range width {
				total += x + 2
			}
			fmt.Fprintln(w, "  "+strings.Repeat("-", total-2))
		}
	}
}

func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x1100 && (r <= 0x115f || r >= 0x2e80) {
			n += 2
		} else {
			n++
		}
	}
	return n
}
