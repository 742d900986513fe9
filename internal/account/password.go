package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"unicode"

	"golang.org/x/crypto/argon2"

	"shebao/internal/errs"
)

// HashParams are the argon2id cost parameters of new password hashes.
type HashParams struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultHashParams are the production parameters, OWASP's argon2id
// profile of 46 MiB, 1 pass, 1 lane: a whole login measured about 60 ms on
// a loaded 2-core machine (BenchmarkLoginProductionParams). 64 MiB with 2
// lanes took about 100 ms per hash there and up to 300 ms per login under
// load, over the 150 ms target.
var DefaultHashParams = HashParams{Memory: 46 * 1024, Time: 1, Threads: 1}

// TestHashParams are cheap parameters for tests; never use them in production.
var TestHashParams = HashParams{Memory: 64, Time: 1, Threads: 1}

const (
	saltLen        = 16
	keyLen         = 32
	minPassword    = 8
	maxPassword    = 128
	maxHashMemory  = 1 << 20 // KiB; refuse stored hashes asking for more than 1 GiB
	readableAlphas = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
	readableDigits = "23456789"
)

// HashPassword returns the argon2id hash of pw in the PHC string format
// ($argon2id$v=19$m=…,t=…,p=…$salt$key). The demo generator uses it to
// hash one shared password once for many accounts (see ImportAccount).
func (s *Service) HashPassword(ctx context.Context, pw string) (string, error) {
	if err := s.acquire(ctx); err != nil {
		return "", err
	}
	defer s.release()
	return hashWith(s.params, pw)
}

func hashWith(p HashParams, pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", errs.Wrap(err, "salt")
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// verify reports whether pw matches the encoded hash, in constant time.
// A malformed hash (e.g. the empty hash of an API client) never matches.
func (s *Service) verify(ctx context.Context, encoded, pw string) (bool, error) {
	if err := s.acquire(ctx); err != nil {
		return false, err
	}
	defer s.release()
	s.checks.Add(1)
	p, salt, want, ok := parseHash(encoded)
	if !ok {
		return false, nil
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// verifyDummy spends the time of one verification, so that an unknown
// username answers as slowly as a wrong password.
func (s *Service) verifyDummy(ctx context.Context, pw string) {
	s.mu.Lock()
	if s.dummy == "" {
		s.dummy, _ = hashWith(s.params, "dummy-password-1")
	}
	d := s.dummy
	s.mu.Unlock()
	_, _ = s.verify(ctx, d, pw)
}

func parseHash(encoded string) (p HashParams, salt, key []byte, ok bool) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, nil, nil, false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, false
	}
	if p.Memory == 0 || p.Memory > maxHashMemory || p.Time == 0 || p.Time > 16 || p.Threads == 0 {
		return p, nil, nil, false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) < 16 {
		return p, nil, nil, false
	}
	return p, salt, key, true
}

func (s *Service) acquire(ctx context.Context) error {
	select {
	case s.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return errs.Wrap(ctx.Err(), "wait for password hashing")
	}
}

func (s *Service) release() { <-s.slots }

// NewInitialPassword returns a random password that is easy to read out
// over the phone: three groups of four letters and digits without the
// look-alikes 0/O, 1/l/I, e.g. "Kp7m-x4Rt-9wZa" (about 68 bits).
func NewInitialPassword() string {
	all := readableAlphas + readableDigits
	for {
		var b strings.Builder
		for i := 0; i < 12; i++ {
			if i > 0 && i%4 == 0 {
				b.WriteByte('-')
			}
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(all))))
			if err != nil {
				panic("crypto/rand failed: " + err.Error())
			}
			b.WriteByte(all[n.Int64()])
		}
		pw := b.String()
		if hasLetter(pw) && hasDigit(pw) {
			return pw
		}
	}
}

// checkPolicy lists what is wrong with a new password under field name
// field: at least 8 characters with letters and digits, not the username,
// not the old password (when old is given).
func checkPolicy(f *errs.Fields, field, username, old, pw string) {
	n := len([]rune(pw))
	switch {
	case pw == "":
		f.Add(field, "请输入新密码")
	case n < minPassword:
		f.Add(field, fmt.Sprintf("新密码至少需要 %d 位", minPassword))
	case n > maxPassword:
		f.Add(field, fmt.Sprintf("新密码不能超过 %d 位", maxPassword))
	case !hasLetter(pw) || !hasDigit(pw):
		f.Add(field, "新密码须同时包含字母和数字")
	case strings.EqualFold(pw, username):
		f.Add(field, "新密码不能与用户名相同")
	case old != "" && pw == old:
		f.Add(field, "新密码不能与原密码相同")
	}
}

func hasLetter(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < unicode.MaxASCII && unicode.IsLetter(r) }) >= 0
}

func hasDigit(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' }) >= 0
}
