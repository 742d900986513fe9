package account

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// Login throttling. Every attempt is reserved before its password is
// hashed, each counter by one conditional upsert (INSERT … ON CONFLICT DO
// UPDATE … WHERE allowed RETURNING), all in one short transaction; a
// refused counter rolls the others back. So no number of parallel attempts,
// on one server or several sharing a database, checks more passwords than
// the limits allow:
//
//   - per source (client IP): IPMaxFailures attempts per IPWindow; a success
//     gives its attempt back;
//   - per username and source: FreeAttempts, then each further attempt must
//     wait 2^(n-FreeAttempts) seconds (capped at MaxDelay) after the n-th; a
//     success clears it. Known and unknown usernames are throttled alike, so
//     the answers tell nobody who exists, and an attacker's source delays
//     only itself: the owner logs in from their own;
//   - per staff or admin account across all sources: at staffLockAfter
//     failures it needs an administrator's unlock (one audit entry per lock).
//
// Refusals are answered before any user-dependent work, the same for every
// username.

// reservation is one login attempt counted before its password is checked.
type reservation struct {
	source string    // "" for the password change form (no per-source limit)
	key    string    // login_delays key
	at     time.Time // when it was reserved
	userID int64     // staff or admin account whose failures were counted; 0 if none
	staffN int       // that account's failures including this attempt
}

func errThrottled(code string, wait time.Duration) error {
	wait = max(wait, time.Second)
	e := errs.New(errs.TooMany, code, "登录尝试过于频繁，请 "+waitText(wait)+"后再试")
	e.RetryAfter = wait
	return e
}

func errUnlockRequired() error {
	return errs.New(errs.Forbidden, "unlock_required", "该账户登录失败次数过多，已被锁定，请联系系统管理员解锁")
}

// waitText says a wait in Chinese, rounded up: "3 秒", "15 分钟".
func waitText(d time.Duration) string {
	if d < time.Minute {
		return strconv.Itoa(int((d+time.Second-1)/time.Second)) + " 秒"
	}
	return strconv.Itoa(int((d+time.Minute-1)/time.Minute)) + " 分钟"
}

// delayAfter is how long after the n-th attempt at a username from one
// source the next may start.
func delayAfter(n int) time.Duration {
	if n < FreeAttempts {
		return 0
	}
	if k := n - FreeAttempts; k < 20 && time.Second<<k < MaxDelay {
		return time.Second << k
	}
	return MaxDelay
}

// maxShift is the smallest k with 1 s << k ≥ MaxDelay: delays from there on are capped.
func maxShift() int {
	k := 0
	for time.Second<<k < MaxDelay {
		k++
	}
	return k
}

// reserve counts an attempt at username (normalised) from source on every
// counter, or refuses it: TooMany with the wait, or Forbidden when a staff
// account needs an administrator's unlock. u is the account, nil if none.
func (s *Service) reserve(ctx context.Context, username, source string, u *loginRow, now time.Time) (*reservation, error) {
	secret, err := s.loginSecret(ctx)
	if err != nil {
		return nil, err
	}
	r := &reservation{source: source, key: delayKey(secret, username, source), at: now}
	lockAfter := s.staffLockAfter()
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := reserveSource(ctx, tx, source, now); err != nil {
			return err
		}
		if err := reserveDelay(ctx, tx, r.key, now); err != nil {
			return err
		}
		if u == nil || lockAfter == 0 || (u.role != access.RoleStaff && u.role != access.RoleAdmin) {
			return nil
		}
		r.userID = u.id
		r.staffN, err = reserveStaff(ctx, tx, u.id, lockAfter, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// reserveSource counts an attempt from source within its window.
func reserveSource(ctx context.Context, tx *sql.Tx, source string, now time.Time) error {
	if source == "" {
		return nil
	}
	return reserveCounter(ctx, tx, source, IPMaxFailures, now, func(wait time.Duration) error {
		return errThrottled("ip_throttled", wait)
	})
}

// reserveCounter counts an attempt under key within IPWindow unless limit
// attempts are already counted there; refused answers refuse(wait).
func reserveCounter(ctx context.Context, tx *sql.Tx, key string, limit int, now time.Time, refuse func(time.Duration) error) error {
	ms, old := now.UnixMilli(), now.Add(-IPWindow).UnixMilli()
	var n int
	err := tx.QueryRowContext(ctx, `INSERT INTO login_sources (source, attempts, window_start) VALUES ($1, 1, $2)
		ON CONFLICT (source) DO UPDATE SET
			attempts = CASE WHEN login_sources.window_start <= $3 THEN 1 ELSE login_sources.attempts + 1 END,
			window_start = CASE WHEN login_sources.window_start <= $3 THEN $2 ELSE login_sources.window_start END
		WHERE login_sources.window_start <= $3 OR login_sources.attempts < $4
		RETURNING attempts`, key, ms, old, limit).Scan(&n)
	if err == nil {
		return nil
	}
	if !db.IsNoRows(err) {
		return errs.Wrap(err, "reserve login source")
	}
	var start int64
	if err := tx.QueryRowContext(ctx, `SELECT window_start FROM login_sources WHERE source = $1`, key).Scan(&start); err != nil {
		return errs.Wrap(err, "read login source")
	}
	return refuse(time.Duration(start+IPWindow.Milliseconds()-ms) * time.Millisecond)
}

// delayAttempts is the attempt number an upsert of login_delays gives: a
// key quiet for DelayForget ($5) starts again at 1.
const delayAttempts = `(CASE WHEN login_delays.last_at <= $5 THEN 1 ELSE login_delays.attempts + 1 END)`

// reserveDelay counts an attempt at a username from a source unless its
// growing delay has not yet passed. next_at after the n-th attempt is
// now + delayAfter(n), computed in SQL with the same rule.
func reserveDelay(ctx context.Context, tx *sql.Tx, key string, now time.Time) error {
	ms := now.UnixMilli()
	q := fmt.Sprintf(`INSERT INTO login_delays (key, attempts, next_at, last_at) VALUES ($1, 1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET
			attempts = %[1]s,
			next_at = CAST($3 AS BIGINT) + CASE WHEN %[1]s < $4 THEN 0
				WHEN %[1]s - $4 >= $6 THEN CAST($7 AS BIGINT) ELSE 1000 << (%[1]s - $4) END,
			last_at = $3
		WHERE login_delays.next_at <= $3 OR login_delays.last_at <= $5
		RETURNING attempts`, delayAttempts)
	var n int
	err := tx.QueryRowContext(ctx, q, key, now.Add(delayAfter(1)).UnixMilli(), ms, FreeAttempts,
		now.Add(-DelayForget).UnixMilli(), maxShift(), MaxDelay.Milliseconds()).Scan(&n)
	if err == nil {
		return nil
	}
	if !db.IsNoRows(err) {
		return errs.Wrap(err, "reserve login attempt")
	}
	var next int64
	if err := tx.QueryRowContext(ctx, `SELECT next_at FROM login_delays WHERE key = $1`, key).Scan(&next); err != nil {
		return errs.Wrap(err, "read login delay")
	}
	return errThrottled("login_throttled", time.Duration(next-ms)*time.Millisecond)
}

// reserveStaff counts an attempt at a staff or admin account across all
// sources and returns the count including it; at lockAfter further attempts
// are refused until the attempt holding the last place is settled.
func reserveStaff(ctx context.Context, tx *sql.Tx, userID int64, lockAfter int, now time.Time) (int, error) {
	old := now.Add(-StaffFailureWindow)
	var n int
	err := tx.QueryRowContext(ctx, `UPDATE users SET
			failed_count = CASE WHEN last_failed_at IS NULL OR last_failed_at <= $2 THEN 1 ELSE failed_count + 1 END,
			last_failed_at = $3
		WHERE id = $1 AND unlock_required_at IS NULL AND (last_failed_at IS NULL OR last_failed_at <= $2 OR failed_count < $4)
		RETURNING failed_count`, userID, old, now, lockAfter).Scan(&n)
	if err == nil {
		return n, nil
	}
	if !db.IsNoRows(err) {
		return 0, errs.Wrap(err, "reserve staff attempt")
	}
	var locked sql.NullTime
	if err := tx.QueryRowContext(ctx, `SELECT unlock_required_at FROM users WHERE id = $1`, userID).Scan(&locked); err != nil {
		return 0, errs.Wrap(err, "read staff lock")
	}
	if locked.Valid {
		return 0, errUnlockRequired()
	}
	return 0, errThrottled("login_throttled", time.Second)
}

// failed settles a reservation whose password was wrong: the counters keep
// it, and the attempt that reached a staff account's limit locks the
// account, once (the conditional update lets one writer through).
func (s *Service) failed(ctx context.Context, r *reservation, now time.Time) error {
	lockAfter := s.staffLockAfter()
	if r.userID == 0 || lockAfter == 0 || r.staffN < lockAfter {
		return nil
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET unlock_required_at = $2
			WHERE id = $1 AND unlock_required_at IS NULL AND failed_count >= $3`, r.userID, now, lockAfter)
		if err != nil {
			return errs.Wrap(err, "lock account")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		return s.audit.Record(ctx, tx, nil, audit.Entry{Action: "account.lock", Entity: "user",
			EntityID: strconv.FormatInt(r.userID, 10), After: map[string]any{"unlock_required_at": now},
			Note: "登录失败累计 " + strconv.Itoa(lockAfter) + " 次，须系统管理员解锁"})
	})
}

// succeeded settles a reservation whose password was right, inside the
// caller's transaction and in the order reserve locks the rows: the source
// gets its attempt back, the username and source start afresh and a staff
// account's failures are cleared.
func succeeded(ctx context.Context, tx *sql.Tx, r *reservation, userID int64) error {
	if r.source != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE login_sources SET attempts = attempts - 1
			WHERE source = $1 AND attempts > 0 AND window_start <= $2`, r.source, r.at.UnixMilli()); err != nil {
			return errs.Wrap(err, "settle login source")
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_delays WHERE key = $1`, r.key); err != nil {
		return errs.Wrap(err, "settle login delay")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_count = 0, last_failed_at = NULL
		WHERE id = $1 AND failed_count <> 0`, userID); err != nil {
		return errs.Wrap(err, "reset failures")
	}
	return nil
}

// delayKey is the login_delays key of a username and source: an HMAC, so
// the table holds no username (an ID number) and no source in clear.
func delayKey(secret []byte, username, source string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(username))
	m.Write([]byte{0})
	m.Write([]byte(source))
	return hex.EncodeToString(m.Sum(nil)[:20])
}

// loginSecret returns the key of delayKey, made once per database by the
// first server that needs it.
func (s *Service) loginSecret(ctx context.Context) ([]byte, error) {
	s.mu.RLock()
	k := s.secret
	s.mu.RUnlock()
	if k != nil {
		return k, nil
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, errs.Wrap(err, "login secret")
	}
	if _, err := s.db.W.ExecContext(ctx, `INSERT INTO login_secret (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`,
		hex.EncodeToString(fresh)); err != nil {
		return nil, errs.Wrap(err, "store login secret")
	}
	var stored string
	if err := s.db.W.QueryRowContext(ctx, `SELECT secret FROM login_secret WHERE id = 1`).Scan(&stored); err != nil {
		return nil, errs.Wrap(err, "load login secret")
	}
	k = []byte(stored)
	s.mu.Lock()
	s.secret = k
	s.mu.Unlock()
	return k, nil
}

// purgeThrottle deletes counters that no longer hold anything back.
func purgeThrottle(ctx context.Context, q db.Querier, now time.Time) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM login_sources WHERE window_start <= $1`, now.Add(-IPWindow).UnixMilli()); err != nil {
		return errs.Wrap(err, "purge login sources")
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM login_delays WHERE last_at <= $1`, now.Add(-DelayForget).UnixMilli()); err != nil {
		return errs.Wrap(err, "purge login delays")
	}
	return nil
}
