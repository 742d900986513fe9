// Package repocheck holds tests over the repository's own files: nothing
// refers to documents outside the repository, and every citation of
// docs/rules.md names a section that exists there. Cite a numbered section
// as `docs/rules.md §5.1` and an unnumbered one by the beginning of its
// heading in quotes, `docs/rules.md "Late fee and its waiver"`; an anchor
// (`docs/rules.md#...`, the heading's text) works too.
package repocheck
