package faq

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field weights in the search index: a word in the question counts more
// than the same word in the keywords, and that more than in the answer.
const (
	weightQuestion = 3
	weightKeywords = 2
	weightAnswer   = 1
)

// maxQueryTerms bounds the terms of one search.
const maxQueryTerms = 32

// runs splits s into runs of Han characters and runs of other letters and
// digits (lower-cased); everything else separates runs.
func runs(s string) (han [][]rune, words []string) {
	var cur []rune
	curHan := false
	flush := func() {
		if len(cur) > 0 {
			if curHan {
				han = append(han, cur)
			} else {
				words = append(words, strings.ToLower(string(cur)))
			}
		}
		cur = nil
	}
	for _, r := range s {
		isHan := unicode.Is(unicode.Han, r)
		if !isHan && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if len(cur) > 0 && isHan != curHan {
			flush()
		}
		curHan = isHan
		cur = append(cur, r)
	}
	flush()
	return han, words
}

// indexTerms returns the index terms of s: every Han character, every pair
// of adjacent Han characters, and every other word.
func indexTerms(s string) []string {
	han, words := runs(s)
	out := words
	for _, h := range han {
		for i := range h {
			out = append(out, string(h[i]))
			if i+1 < len(h) {
				out = append(out, string(h[i:i+2]))
			}
		}
	}
	return out
}

// gramWeights indexes an answer: each term with the weight of the best
// field it occurs in.
func gramWeights(question, keywords, answer string) map[string]int {
	m := map[string]int{}
	for _, f := range []struct {
		text string
		w    int
	}{{question, weightQuestion}, {keywords, weightKeywords}, {answer, weightAnswer}} {
		for _, g := range indexTerms(f.text) {
			if m[g] < f.w {
				m[g] = f.w
			}
		}
	}
	return m
}

// queryTerms returns the distinct terms a search looks for: the pairs of
// adjacent characters of each Han run (a lone character for a run of one),
// and each other word. So 退休 finds 退休金 and 办理退休, and 办理退休
// looks for 办理, 理退 and 退休.
func queryTerms(q string) []string {
	han, words := runs(q)
	seen := map[string]bool{}
	var out []string
	add := func(g string) {
		if !seen[g] && len(out) < maxQueryTerms {
			seen[g] = true
			out = append(out, g)
		}
	}
	for _, h := range han {
		if len(h) == 1 {
			add(string(h))
		}
		for i := 0; i+1 < len(h); i++ {
			add(string(h[i : i+2]))
		}
	}
	for _, w := range words {
		add(w)
	}
	return out
}

// minMatches is how many of n query terms an answer must contain: at
// least half, so a long question still finds answers worded differently
// but one shared common word does not make a match.
func minMatches(n int) int { return max(1, (n+1)/2) }

// normalizeTerm is how a search that found nothing is counted: spaces
// collapsed, lower case, at most 50 characters.
func normalizeTerm(q string) string {
	q = strings.ToLower(strings.Join(strings.Fields(q), " "))
	for utf8.RuneCountInString(q) > 50 {
		_, n := utf8.DecodeLastRuneInString(q)
		q = q[:len(q)-n]
	}
	return q
}
