package repocheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Owners names, for every table, the one package that writes it (INSERT,
// UPDATE, DELETE, COPY or a bulk insert). Every other package calls the
// owner's functions, passing its transaction. A new table goes here with
// its package in the same change; docs/architecture.md lists this map
// (TestArchitectureListsTheOwners keeps the two equal).
var Owners = map[string]string{
	"api_clients": "account", "login_delays": "account", "login_secret": "account", "login_sources": "account",
	"sessions": "account", "staff_posts": "account", "user_sections": "account", "users": "account",
	"appt_bookings": "appointment", "appt_reminders": "appointment", "appt_services": "appointment", "appt_slots": "appointment",
	"appt_screenings": "appointment", "health_checkins": "protection", "hall_duty_rounds": "protection",
	"audit_head": "audit", "audit_log": "audit",
	"case_commitments": "casework", "case_counters": "casework", "case_documents": "casework", "case_events": "casework",
	"case_owed_originals": "casework", "case_reminders": "casework", "cases": "casework",
	"certificate_checks": "certificate", "certificates": "certificate",
	"complaint_events": "complaint", "complaint_links": "complaint", "complaint_mediations": "complaint", "complaint_requests": "complaint", "complaints": "complaint",
	"assess_runs": "contribution", "bill_lines": "contribution", "bill_states": "contribution", "bills": "contribution",
	"contribution_records": "contribution", "record_imports": "contribution",
	"schema_migrations": "db",
	"documents":         "document",
	"download_versions": "download", "downloads": "download",
	"employer_applications": "employer", "employer_change_requests": "employer", "employer_counters": "employer",
	"employers": "employer",
	"faq_grams": "faq", "faq_misses": "faq", "faq_notices": "faq", "faq_uses": "faq", "faqs": "faq",
	"flexible_registrations": "flexible",
	"injury_reports":         "injury",
	"job_runs":               "jobs",
	"ledger_entries":         "ledger",
	"ledger_totals":          "ledger",
	"sensitive_matters":      "sensitive", "sensitive_steps": "sensitive",
	"mail_quarantine": "mailintake", "mail_received": "mailintake",
	"notices":      "notice",
	"notify_prefs": "notify", "outbox": "notify", "user_messages": "notify",
	"bank_statements": "payment", "invoice_requests": "payment", "payments": "payment",
	"account_entries": "personalaccount", "account_imports": "personalaccount", "account_interest_runs": "personalaccount",
	"transfers": "transfer", "transfer_years": "transfer", "consultations": "transfer",
	"statement_batches": "statement", "statement_members": "statement", "statements": "statement", "statement_prints": "statement",
	"payout_banks": "payout", "payout_batches": "payout", "payout_lines": "payout", "payout_postings": "payout",
	"payout_returns": "payout", "payout_batch_lines": "payout",
	"employments": "person", "persons": "person",
	"calendar_days": "policy", "emergencies": "policy", "emergency_measures": "policy", "policy_state": "policy",
	"rule_values":   "policy",
	"staff_changes": "staffchange", "staff_conflicts": "staffchange", "staff_imports": "staffchange",
	"injury_appraisals": "injury", "injury_claim_items": "injury", "injury_claims": "injury", "injury_continued": "injury",
	"injury_covid_items": "injury", "injury_payables": "injury", "injury_recognitions": "injury", "injury_settlements": "injury",
	"injury_hospital_accounts": "injury",
	"payout_return_lines":      "payout",
	"payroll_runs":             "payroll", "pension_adjustments": "payroll", "pension_amounts": "payroll",
	"pension_deduction_entries": "payroll", "pension_deductions": "payroll", "pensioner_events": "payroll",
	"pensioners": "payroll", "pension_stop_items": "payroll", "ss_card_answers": "payroll", "ss_card_lists": "payroll", "ss_cards": "payroll",
	"pension_determinations": "retirement", "retirement_account_balances": "retirement", "retirement_approvers": "retirement",
	"retirement_plans": "retirement", "retirement_qualifications": "retirement", "retirement_reminders": "retirement",
	"pension_certifications": "retirement", "certification_reminders": "retirement",
	"recovery_items": "recovery", "recovery_reminders": "recovery", "recovery_progress": "recovery", "recovery_counts": "recovery",
	"dashboard_snapshots": "dashboard", "audit_samples": "sampling", "audit_sample_items": "sampling",
	"deaths": "death", "death_heirs": "death", "death_reports": "death", "death_recovery_notices": "death", "death_claims": "death", "civil_imports": "death", "civil_records": "death", "civil_stage": "death",
	"record_corrections": "upkeep", "record_correction_batches": "upkeep", "record_correction_months": "upkeep",
}

// alsoWrittenBy are the exceptions, each with its reason.
// There are none now: the demo seeds persons and employments through
// person.InsertSeeded and claims its seeding run through jobs.ClaimOnce.
var alsoWrittenBy = map[string]map[string]string{}

var (
	// writeRe finds the target table of a write in SQL text.
	writeRe = regexp.MustCompile(`\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+([a-z_][a-z0-9_]*)|\bCOPY\s+([a-z_][a-z0-9_]*)\s*(?:\(|FROM\b)`)
	// danglingWriteRe is a write whose table is not in the literal
	// (built from a variable): the test cannot check it.
	danglingWriteRe = regexp.MustCompile(`\b(?:INSERT\s+INTO|DELETE\s+FROM|COPY)\s*$`)
	createRe        = regexp.MustCompile(`(?i)\bcreate\s+(?:temp\s+|temporary\s+|unlogged\s+)?table\s+(?:if\s+not\s+exists\s+)?([a-z_][a-z0-9_]*)`)
	dropRe          = regexp.MustCompile(`(?i)\bdrop\s+table\s+(?:if\s+exists\s+)?([a-z_][a-z0-9_]*)`)
	renameRe        = regexp.MustCompile(`(?i)\balter\s+table\s+([a-z_][a-z0-9_]*)\s+rename\s+to\s+([a-z_][a-z0-9_]*)`)
	// ddlRe is one of the three, in the order the migration runs them.
	ddlRe = regexp.MustCompile(createRe.String() + "|" + dropRe.String() + "|" + renameRe.String())
)

// write is one table written at a place in the code.
type write struct{ table, pkg, at string }

// TestEveryTableHasOneWriter fails when a table is written outside its
// owner package, when a table of the migrations has no owner, and when a
// write's table cannot be read from the code.
func TestEveryTableHasOneWriter(t *testing.T) {
	dir := root(t)
	tables := migrationTables(t, dir)
	writes, created := goWrites(t, dir)
	for table := range tables {
		if _, ok := Owners[table]; !ok {
			t.Errorf("table %s (migrations) has no owner: add it to Owners in internal/repocheck/owners_test.go", table)
		}
	}
	for table, owner := range Owners {
		if !tables[table] && created[table] == "" {
			t.Errorf("Owners lists %s (owner %s), which no migration creates", table, owner)
		}
	}
	for _, w := range writes {
		owner, ok := Owners[w.table]
		if !ok {
			owner, ok = created[w.table], created[w.table] != "" // a table the package creates itself
		}
		switch {
		case !ok:
			t.Errorf("%s writes %s, a table with no owner", w.at, w.table)
		case owner != w.pkg && alsoWrittenBy[w.pkg][w.table] == "":
			t.Errorf("%s: package %s writes %s, which belongs to %s: call %s instead", w.at, w.pkg, w.table, owner, owner)
		}
	}
	if len(writes) < 100 {
		t.Fatalf("found only %d writes: the scan is broken", len(writes))
	}
}

// migrationTables are the tables the migrations create and do not drop.
func migrationTables(t *testing.T, dir string) map[string]bool {
	out := map[string]bool{}
	for _, f := range files(t, dir) {
		if !strings.HasPrefix(f, "migrations/") || !strings.HasSuffix(f, ".sql") {
			continue
		}
		s, _ := text(t, dir+"/"+f)
		for _, m := range ddlRe.FindAllStringSubmatch(strings.ToLower(s), -1) {
			switch {
			case m[1] != "":
				out[m[1]] = true
			case m[2] != "":
				delete(out, m[2])
			default:
				delete(out, m[3])
				out[m[4]] = true
			}
		}
	}
	if len(out) < 50 {
		t.Fatalf("found only %d tables in migrations/", len(out))
	}
	return out
}

// goWrites finds every write in the string literals of non-test Go code
// (and the Table of bulk inserts, db.Insert{Table: "…"}), and the tables
// packages create themselves (temporary or scratch tables).
func goWrites(t *testing.T, dir string) ([]write, map[string]string) {
	var writes []write
	created := map[string]string{}
	fset := token.NewFileSet()
	for _, f := range files(t, dir) {
		if !strings.HasSuffix(f, ".go") || strings.HasSuffix(f, "_test.go") || strings.HasPrefix(f, "internal/repocheck/") {
			continue
		}
		file, err := parser.ParseFile(fset, dir+"/"+f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		pkg := path.Base(path.Dir(f))
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if n.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(n.Value)
				if err != nil {
					return true
				}
				at := f + ":" + strconv.Itoa(fset.Position(n.Pos()).Line)
				for _, m := range writeRe.FindAllStringSubmatch(s, -1) {
					writes = append(writes, write{m[1] + m[2], pkg, at})
				}
				if danglingWriteRe.MatchString(s) && pkg != "db" {
					t.Errorf("%s: a write whose table is not written out in the SQL text", at)
				}
				for _, m := range createRe.FindAllStringSubmatch(s, -1) {
					created[strings.ToLower(m[1])] = pkg
				}
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Table" {
					if v, ok := n.Value.(*ast.BasicLit); ok && v.Kind == token.STRING {
						s, _ := strconv.Unquote(v.Value)
						writes = append(writes, write{s, pkg, f + ":" + strconv.Itoa(fset.Position(n.Pos()).Line)})
					}
				}
			}
			return true
		})
	}
	return writes, created
}

// TestWriteScanFindsEveryForm keeps the patterns honest.
func TestWriteScanFindsEveryForm(t *testing.T) {
	for s, want := range map[string]string{
		"INSERT INTO bills (a) VALUES ($1)": "bills", "UPDATE\n\t\tpersons SET x = 1": "persons",
		"DELETE FROM bill_lines WHERE": "bill_lines", "COPY ledger_entries (a) FROM STDIN": "ledger_entries",
		"ON CONFLICT (id) DO UPDATE SET x = 1": "", "SELECT updated_at FROM bills": "", "COPY on PostgreSQL": "",
	} {
		got := ""
		if m := writeRe.FindStringSubmatch(s); m != nil {
			got = m[1] + m[2]
		}
		if got != want {
			t.Errorf("%q: %q, want %q", s, got, want)
		}
	}
}

// ownerList is the owner map as "package: table, table" lines, sorted.
func ownerList() []string {
	by := map[string][]string{}
	for table, pkg := range Owners {
		by[pkg] = append(by[pkg], table)
	}
	var out []string
	for pkg, tables := range by {
		sort.Strings(tables)
		out = append(out, "internal/"+pkg+": "+strings.Join(tables, ", "))
	}
	sort.Strings(out)
	return out
}

// TestArchitectureListsTheOwners keeps the owner list in
// docs/architecture.md equal to Owners.
func TestArchitectureListsTheOwners(t *testing.T) {
	dir := root(t)
	doc, _ := text(t, dir+"/docs/architecture.md")
	_, after, ok := strings.Cut(doc, "## Who writes which table")
	if !ok {
		t.Fatal(`docs/architecture.md has no "## Who writes which table" section`)
	}
	_, block, _ := strings.Cut(after, "```\n")
	block, _, _ = strings.Cut(block, "```")
	want := strings.Join(ownerList(), "\n") + "\n"
	if block != want {
		t.Errorf("docs/architecture.md lists other owners than Owners; the list should read:\n%s", want)
	}
}
