package demo

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"shebao/internal/ident"
	"shebao/internal/person"
)

// Household areas (户籍地区划代码): the district and other Beijing
// districts, and the provincial capitals migrant workers come from.
var areas = []string{
	"110105", "110101", "110102", "110106", "110108", "110112", "110114", "110115",
	"130102", "140105", "150102", "210102", "220102", "230102", "320102", "340102",
	"360102", "370102", "410105", "420102", "430102", "450102", "500101", "510104",
	"520102", "530102", "610102", "620102",
}

var (
	firstBirth = time.Date(1964, 1, 1, 0, 0, 0, 0, time.UTC)
	birthDays  = int(time.Date(2006, 1, 1, 0, 0, 0, 0, time.UTC).Sub(firstBirth).Hours() / 24)
	idCells    = uint64(len(areas) * birthDays)
)

// idPrime is coprime to idCells (it is a prime larger than it), so
// cell(i) = i·idPrime mod idCells walks every cell once per round.
const idPrime = 1_000_003

// idNumber returns the ID number of person index i and its birth date.
// Every index maps to a different (area, birth date, sequence) triple, so
// numbers never repeat (up to 500 rounds of idCells ≈ 200 million people),
// whatever the seed; the seed only chooses the gender.
func idNumber(i uint64, male bool) (string, time.Time) {
	cell := (i % idCells) * idPrime % idCells
	round := i / idCells
	area := areas[cell%uint64(len(areas))]
	birth := firstBirth.AddDate(0, 0, int(cell/uint64(len(areas))))
	seq := ((mix(cell)%500 + round) % 500) * 2 // MakeID sets the low bit by gender
	return ident.MakeID(area, birth, int(seq), male), birth
}

// mix scrambles x (splitmix64 finaliser).
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// genPerson is one generated person with their employments.
// genPerson and genJob are what person stores (person.InsertSeeded).
type (
	genPerson = person.Seeded
	genJob    = person.SeededJob
)

var endReasons = []string{"解除劳动合同", "劳动合同期满", "本人辞职", "调动"}

// employerPool chooses employers for jobs, the bigger ones more often.
type employerPool struct {
	ids   []int64
	reg   []string // first month an employer could insure anyone ('YYYY-MM')
	cum   []int64  // cumulative weights
	total int64
}

func (p *employerPool) add(id int64, regMonth string, weight int64) {
	p.total += weight
	p.ids, p.reg, p.cum = append(p.ids, id), append(p.reg, regMonth), append(p.cum, p.total)
}

func (p *employerPool) pick(r *rand.Rand) int {
	n := r.Int64N(p.total)
	return sort.Search(len(p.cum), func(i int) bool { return p.cum[i] > n })
}

// peopleGen makes persons one at a time from a seeded random stream.
type peopleGen struct {
	r         *rand.Rand
	pool      *employerPool
	lastMonth string  // the month before today: the latest start month
	flexBases []int64 // fen
	nextID    int64
	index     uint64 // next ID-number index
}

func monthOf(t time.Time) string { return t.Format("2006-01") }

func addMonths(m string, n int) string {
	t, _ := time.Parse("2006-01", m)
	return monthOf(t.AddDate(0, n, 0))
}

// monthsBetween counts months from a to b (b later), 0 when equal.
func monthsBetween(a, b string) int {
	ta, _ := time.Parse("2006-01", a)
	tb, _ := time.Parse("2006-01", b)
	return (tb.Year()-ta.Year())*12 + int(tb.Month()) - int(ta.Month())
}

// randMonth returns a month in [from, to]; from if the range is empty.
func (g *peopleGen) randMonth(from, to string) string {
	n := monthsBetween(from, to)
	if n <= 0 {
		return from
	}
	return addMonths(from, g.r.IntN(n+1))
}

// wage draws a monthly wage in whole yuan, skewed like real pay: most
// between 4,000 and 12,000, a few far above the ceiling.
func (g *peopleGen) wage() int64 {
	u := g.r.Float64()
	return (3500 + int64(26000*u*u*u) + int64(g.r.IntN(800))) * 100
}

func (g *peopleGen) phone() string {
	if g.r.IntN(10) == 0 {
		return ""
	}
	return fmt.Sprintf("1%d%09d", []int{3, 5, 7, 8, 9}[g.r.IntN(5)], g.r.Int64N(1_000_000_000))
}

// next generates the next person; flexible makes a flexible worker.
func (g *peopleGen) next(flexible bool) genPerson {
	male := g.r.IntN(100) < 52
	idNo, birth := idNumber(g.index, male)
	g.index++
	p := genPerson{ID: g.nextID, IDNumber: idNo, Name: personName(g.r, male), Gender: "F",
		Birth: birth.Format("2006-01-02"), Phone: g.phone(), Kind: person.Employee, Hukou: idNo[:6]}
	g.nextID++
	if male {
		p.Gender = "M"
	}
	career := max(monthOf(birth.AddDate(18, 0, 0)), "2005-01")
	if career > g.lastMonth {
		career = g.lastMonth
	}
	if flexible {
		g.flexibleHistory(&p, career)
	} else {
		g.employeeHistory(&p, career)
	}
	return p
}

func (g *peopleGen) employeeHistory(p *genPerson, career string) {
	left := g.r.IntN(100) < 8 // no current employer: left and not yet re-insured
	cur := g.pool.pick(g.r)
	start := g.randMonth(max(career, g.pool.reg[cur]), g.lastMonth)
	if g.r.IntN(100) < 35 {
		g.previousJob(p, career, start, cur)
	}
	job := genJob{EmployerID: g.pool.ids[cur], Start: start, Base: g.wage()}
	if left {
		job.End = g.randMonth(start, g.lastMonth)
		job.Reason = endReasons[g.r.IntN(len(endReasons))]
	}
	p.Jobs = append(p.Jobs, job)
}

// previousJob adds a closed job ending before month before (at another
// employer than exclude), when the career leaves room for one.
func (g *peopleGen) previousJob(p *genPerson, career, before string, exclude int) {
	last := addMonths(before, -1)
	e := g.pool.pick(g.r)
	if e == exclude || monthsBetween(max(career, g.pool.reg[e]), last) < 2 {
		return
	}
	start := g.randMonth(max(career, g.pool.reg[e]), addMonths(last, -1))
	end := g.randMonth(start, last)
	p.Jobs = append(p.Jobs, genJob{EmployerID: g.pool.ids[e], Start: start, End: end, Base: g.wage(),
		Reason: endReasons[g.r.IntN(len(endReasons))]})
}

func (g *peopleGen) flexibleHistory(p *genPerson, career string) {
	p.Kind = person.Flexible
	p.FlexBase = g.flexBases[g.r.IntN(len(g.flexBases))]
	p.FlexSince = g.randMonth(max(career, "2015-01"), g.lastMonth)
	if g.r.IntN(2) == 0 {
		g.previousJob(p, career, p.FlexSince, -1)
	}
}
