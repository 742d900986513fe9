package app_test

import (
	"net/url"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// faqRouteCases: the public answers to common questions, staff editing
// (办公室 every answer, a section its own), 办公室's list of misses.
func faqRouteCases() []routeCase {
	none := url.Values{}
	stale := url.Values{"version": {"0"}}
	return []routeCase{
		{method: "GET", path: "/faq", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/faq?q=%E9%80%80%E4%BC%91", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/faq/1", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/faq/999999", want: with(page(), all(notFound)...)},
		{method: "GET", path: "/staff/faq", want: page(staffAll)},
		{method: "GET", path: "/staff/faq/new", want: page(staffAll)},
		{method: "GET", path: "/staff/faq/misses", want: page(staffOf(access.Office)...)},
		{method: "POST", path: "/staff/faq", form: none, want: post(staffAll)},
		{method: "GET", path: "/staff/faq/1", want: page(staffAll)},
		{method: "GET", path: "/staff/faq/999999", want: notFoundFor(page(staffAll))},
		{method: "POST", path: "/staff/faq/999999", form: stale, want: notFoundFor(post(staffAll))},
		{method: "POST", path: "/staff/faq/999999/publish", form: stale, want: notFoundFor(post(staffAll))},
		// The first seeded answer is 统筹科's: other sections may not touch it.
		{method: "POST", path: "/staff/faq/1", form: stale, want: post(staffOf(access.Office, access.Coordination)...)},
		{method: "POST", path: "/staff/faq/1/check", form: stale, want: post(staffOf(access.Office, access.Coordination)...)},
		{method: "POST", path: "/staff/faq/1/retire", form: stale, want: post(staffOf(access.Office, access.Coordination)...)},
		{method: "POST", path: "/staff/faq/1/nothing", form: stale, want: with(post(), append(all(notFound), apptest.APIHospital, forbidden, apptest.APIBank, forbidden)...)},
	}
}

// downloadRouteCases: 常用下载 is public; 办公室 keeps its files.
func downloadRouteCases() []routeCase {
	return []routeCase{
		{method: "GET", path: "/downloads", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/downloads/employer", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/downloads/nobody", want: with(page(), all(notFound)...)},
		{method: "GET", path: "/downloads/forms/accident-report.xlsx", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/downloads/forms/nope.xlsx", want: with(page(), all(notFound)...)},
		{method: "GET", path: "/downloads/v/999999", want: with(page(), all(notFound)...)},
		{method: "GET", path: "/downloads/v/999999/file", want: with(page(), all(notFound)...)},
		{method: "GET", path: "/downloads/v/999999/web", want: with(page(), all(notFound)...)},
		{method: "GET", path: "/notices/1/poster.pdf?size=A3", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/notices/999999/poster.pdf", want: with(page(), all(notFound)...)},
		// 办公室 keeps the downloads.
		{method: "GET", path: "/staff/downloads", want: page(staffOf(access.Office)...)},
		{method: "GET", path: "/staff/downloads/new", want: page(staffOf(access.Office)...)},
		{method: "POST", path: "/staff/downloads", form: url.Values{}, want: post(staffOf(access.Office)...)},
		{method: "GET", path: "/staff/downloads/999999", want: notFoundFor(page(staffOf(access.Office)...))},
		{method: "POST", path: "/staff/downloads/999999/versions", form: url.Values{"version": {"0"}}, want: notFoundFor(post(staffOf(access.Office)...))},
		{method: "POST", path: "/staff/downloads/999999/retire", form: url.Values{"version": {"0"}}, want: notFoundFor(post(staffOf(access.Office)...))},
	}
}
