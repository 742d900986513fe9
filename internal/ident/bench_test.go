package ident

import (
	"math/rand/v2"
	"sync"
	"testing"
)

// million holds 1,000,000 valid numbers, built once for the benchmarks.
var million = sync.OnceValue(func() []string {
	r := rand.New(rand.NewPCG(9, 10))
	ns := make([]string, 1_000_000)
	for i := range ns {
		ns[i] = MakeID(randomArea(r), randomBirth(r), r.IntN(1000), r.IntN(2) == 0)
	}
	return ns
})

func BenchmarkParseID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseID("11010519491231002X"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseIDLegacy15(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseID("110105491231002"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidate1M measures the issue target "validating 1,000,000 ID
// numbers: under 1 s": each op validates 1,000,000 different numbers.
func BenchmarkValidate1M(b *testing.B) {
	ns := million()
	b.ReportAllocs()
	for b.Loop() {
		for _, n := range ns {
			if _, err := ParseID(n); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
}

func BenchmarkParseUSCC(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseUSCC("91350200776049653A"); err != nil {
			b.Fatal(err)
		}
	}
}
