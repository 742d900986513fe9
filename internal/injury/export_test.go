package injury

// SetPause sets the hook called between two steps of a transaction
// ("settlement.account_read", "hospital_account.saved") and returns the
// function restoring the previous one.
func SetPause(f func(step string)) (restore func()) {
	old := pause
	pause = f
	return func() { pause = old }
}

// SwapPayouts replaces where approved amounts go (a test's failing
// payouts) and returns the previous one.
func (s *Service) SwapPayouts(p Payouts) Payouts {
	old := s.payouts
	s.payouts = p
	return old
}
