package faq

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

// benchAnswers is the size the public search must handle under 20 ms.
const benchAnswers = 5000

// fillAnswers publishes n answers: the seeded ones, then variants of them
// with other places, people and numbers, so the index holds many distinct
// pairs and the common words occur in thousands of answers.
func fillAnswers(tb testing.TB, s *Service, n int) {
	places := []string{"东城", "西城", "南湖", "北山", "高新区", "开发区", "临港", "老城", "新区", "河西"}
	people := []string{"职工", "退休人员", "灵活就业人员", "个体工商户", "农民工", "医护人员", "家属", "单位经办人"}
	seeds := seedFAQs()
	now, today := s.clock.Now(), s.today()
	err := s.db.WithTx(context.Background(), func(tx *sql.Tx) error {
		var have int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM faqs`).Scan(&have); err != nil {
			return err
		}
		for i := have; i < n; i++ {
			x := seeds[i%len(seeds)]
			p, w := places[(i/len(seeds))%len(places)], people[(i/7)%len(people)]
			in := Input{Question: fmt.Sprintf("%s的%s：%s（第%d问）", p, w, x.q, i), Category: x.category, Section: x.section,
				Keywords: x.keywords + " " + p, Answer: fmt.Sprintf("%s\n%s%s可拨打%s服务电话咨询，编号%d。", x.a, p, w, x.section.Name(), i)}
			if _, err := insertFAQ(context.Background(), tx, &in, Published, today, "", now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkSearch measures the public search over 5,000 answers on each
// engine and prints the mean time per search; the target is under 20 ms.
func BenchmarkSearch(b *testing.B) {
	queries := []string{"退休", "办理退休手续", "工伤事故报告", "缴费证明怎么打印", "灵活就业人员补缴", "社保卡"}
	for _, e := range dbtest.Engines() {
		// Filled once per engine, outside the rounds b.Run repeats.
		d := dbtest.Open(b, e)
		s, _ := newSvc(b, d)
		fillAnswers(b, s, benchAnswers)
		analyze(b, d)
		b.Run(string(e), func(b *testing.B) {
			ctx := context.Background()
			b.ResetTimer()
			startAt := time.Now()
			for i := 0; i < b.N; i++ {
				if _, n, err := s.Search(ctx, Query{Q: queries[i%len(queries)]}); err != nil || n == 0 {
					b.Fatalf("%s: %d %v", queries[i%len(queries)], n, err)
				}
			}
			per := time.Since(startAt) / time.Duration(b.N)
			b.ReportMetric(float64(per.Microseconds())/1000, "ms/search")
			b.Logf("%s: %d answers, %.2f ms per search (target < 20 ms)", e, benchAnswers, float64(per.Microseconds())/1000)
		})
	}
}

// analyze refreshes the planner's statistics after the bulk load.
func analyze(tb testing.TB, d *db.DB) {
	q := `ANALYZE`
	if d.Dialect == db.Postgres {
		q = `VACUUM ANALYZE faq_grams` // as autovacuum would after a load: index-only scans need the visibility map
	}
	if _, err := d.W.Exec(q); err != nil {
		tb.Fatal(err)
	}
}
