package payment

// SetMatchChunk sets how many lines the import matches before writing
// them (tests of the chunked import) and returns the function restoring it.
func SetMatchChunk(n int) (restore func()) {
	old := matchChunk
	matchChunk = n
	return func() { matchChunk = old }
}
