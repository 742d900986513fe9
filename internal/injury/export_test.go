package injury

// SetPause sets the hook called between two steps of a transaction
// ("settlement.account_read", "hospital_account.saved") and returns the
// function restoring the previous one.
func SetPause(f func(step string)) (restore func()) {
	old := pause
	pause = f
	return func() { pause = old }
}
