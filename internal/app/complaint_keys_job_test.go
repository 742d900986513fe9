package app_test

import (
	"context"
	"testing"
	"time"

	"shebao/internal/app/apptest"
	"shebao/internal/complaint"
)

// TestComplaintKeysPurgedByTheirJob: the scheduled job
// complaints.keys_purge deletes the API filings' idempotency keys once
// they are older than complaint.KeyKept, and keeps younger ones.
func TestComplaintKeysPurgedByTheirJob(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		in := complaint.Input{Category: "fraud", Subject: "某公司未给职工缴纳社保",
			Body: "北京甲测试科技有限公司 2026 年以来未给 30 名职工缴纳社会保险费。", TargetName: "北京甲测试科技有限公司"}
		if _, _, err := env.App.Complaints.FileOnce(ctx, nil, "10.0.0.9", "job-key-old-0123456789", in); err != nil {
			t.Fatal(err)
		}
		env.Clock.Advance(complaint.KeyKept + time.Hour)
		if _, _, err := env.App.Complaints.FileOnce(ctx, nil, "10.0.0.9", "job-key-new-0123456789", in); err != nil {
			t.Fatal(err)
		}
		var run func(context.Context) (string, error)
		for _, j := range env.App.Jobs.Jobs() {
			if j.Name == "complaints.keys_purge" {
				run = j.Run
			}
		}
		if run == nil {
			t.Fatal("no scheduled job complaints.keys_purge")
		}
		if out, err := run(ctx); err != nil || out != "complaint filing keys: 1 deleted" {
			t.Fatalf("job: %q, %v", out, err)
		}
		var left int
		if err := env.App.DB.R.QueryRow(`SELECT COUNT(*) FROM complaint_requests`).Scan(&left); err != nil || left != 1 {
			t.Fatalf("%d keys left, %v", left, err)
		}
	})
}
