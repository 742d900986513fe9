package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Genesis is the prev_hash of the first row: 64 zeros.
var Genesis = strings.Repeat("0", 64)

// hashVersion starts every hashed message, so a later change of the
// encoding can be told apart from tampering.
const hashVersion = "shebao-audit-v1"

// computeHash returns the hex SHA-256 of r's canonical encoding: every
// stored column except Hash, each written as an 8-byte big-endian length
// followed by its bytes (so no two different rows encode the same), the
// time as microseconds since the Unix epoch (the precision both engines
// keep), integers in decimal.
func computeHash(r *Record) string {
	h := sha256.New()
	var n [8]byte
	field := func(s string) {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	field(hashVersion)
	field(strconv.FormatInt(r.Seq, 10))
	field(strconv.FormatInt(r.At.UnixMicro(), 10))
	field(strconv.FormatInt(r.ActorID, 10))
	field(r.ActorUsername)
	field(r.ActorRole)
	field(r.Action)
	field(r.Entity)
	field(r.EntityID)
	field(string(r.Before))
	field(string(r.After))
	field(r.Note)
	field(r.RequestID)
	field(r.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}

// storedTime is t as it is stored and hashed: UTC, whole microseconds
// (PostgreSQL keeps no more).
func storedTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// canonicalJSON marshals v to JSON with object keys sorted at every level
// (struct fields included) and numbers kept as written; nil gives "null".
func canonicalJSON(v any) (json.RawMessage, error) {
	if v == nil {
		return json.RawMessage("null"), nil
	}
	if flatScalars(v) {
		// Already canonical as marshalled: keys sorted, integers in
		// decimal, strings escaped as a second pass would.
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("audit: marshal value: %w", err)
		}
		return b, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit: marshal value: %w", err)
	}
	generic, err := decodeJSON(b)
	if err != nil {
		return nil, err
	}
	// Maps marshal with sorted keys; json.Number marshals as written.
	out, err := json.Marshal(generic)
	if err != nil {
		return nil, fmt.Errorf("audit: marshal value: %w", err)
	}
	return out, nil
}

// flatScalars tells whether v is a map of strings (valid UTF-8), integers,
// booleans and nils only: the usual audit value, which json.Marshal
// writes canonically in one pass (set-based batches write 100,000 of them).
func flatScalars(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	for _, x := range m {
		switch x := x.(type) {
		case nil, bool, int, int64, int32:
		case string:
			if !utf8.ValidString(x) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// decodeJSON decodes b into maps, slices, strings, json.Number, bools.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("audit: decode value: %w", err)
	}
	return v, nil
}
