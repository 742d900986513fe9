package account

// PasswordChecks is the number of password hashes verified so far
// (including the dummy hash of unknown accounts).
func (s *Service) PasswordChecks() int64 { return s.checks.Load() }
