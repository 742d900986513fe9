// Package idempotency is what the JSON APIs that create records share for
// the Idempotency-Key request header: the key is required, a retry with the
// same key and the same request gets the first answer back and creates
// nothing, the same key with another request is a conflict. Each service
// keeps its keys in its own table (it writes them in the transaction that
// creates the record); this package checks keys, hashes requests and seals
// answers that must not be readable from the table alone.
package idempotency

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"shebao/internal/errs"
)

// Header is the request header that carries the key.
const Header = "Idempotency-Key"

// MaxLen is the longest key accepted.
const MaxLen = 100

// Key returns the trimmed key of the header, or an Invalid error naming the
// header when it is missing, shorter than min or longer than MaxLen
// characters, or not printable ASCII.
func Key(raw string, min int) (string, error) {
	key := strings.TrimSpace(raw)
	ok := len(key) >= max(min, 1) && len(key) <= MaxLen
	for i := 0; ok && i < len(key); i++ {
		ok = key[i] > ' ' && key[i] < 0x7f
	}
	if ok {
		return key, nil
	}
	var f errs.Fields
	if min > 1 {
		f.Add(Header, fmt.Sprintf("请在请求头 Idempotency-Key 中提供随机生成的幂等键（%d 至 %d 个字母、数字或符号，例如 UUID）", min, MaxLen))
	} else {
		f.Add(Header, fmt.Sprintf("请在请求头 Idempotency-Key 中提供幂等键（%d 个字符以内）", MaxLen))
	}
	return "", f.Err()
}

// Hash is the SHA-256 (hex) of v as JSON: what is stored of a request to
// tell a retry from another request with the same key.
func Hash(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // requests are plain structs
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// KeyHash is what is stored of a key used within a scope (a client, a
// user, "anonymous"): the key itself is never stored.
func KeyHash(scope, key string) string {
	sum := sha256.Sum256([]byte("idempotency-key\x00" + scope + "\x00" + key))
	return hex.EncodeToString(sum[:])
}

// Check compares the stored request hash with this request's: a different
// request under the same key is a Conflict saying what the key was used
// for (e.g. "结算", "投诉举报").
func Check(stored, hash, what string) error {
	if stored == hash {
		return nil
	}
	return errs.New(errs.Conflict, "idempotency_key_reused", "该幂等键已用于另一笔不同内容的"+what+"，请使用新的幂等键")
}

// Seal encrypts an answer with a key derived from the idempotency key, so
// that only a client who knows the key reads it back (an anonymous
// reporter's tracking code is in the answer).
func Seal(key string, answer []byte) string {
	gcm := sealer(key)
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand never fails on supported systems
	}
	return base64.StdEncoding.EncodeToString(gcm.Seal(nonce, nonce, answer, nil))
}

// Open decrypts what Seal made with the same key.
func Open(key, sealed string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(sealed)
	gcm := sealer(key)
	if err != nil || len(b) < gcm.NonceSize() {
		return nil, errs.Wrap(fmt.Errorf("sealed answer: %v", err), "idempotent answer")
	}
	plain, err := gcm.Open(nil, b[:gcm.NonceSize()], b[gcm.NonceSize():], nil)
	return plain, errs.Wrap(err, "idempotent answer")
}

func sealer(key string) cipher.AEAD {
	k := sha256.Sum256([]byte("idempotency-seal\x00" + key))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return gcm
}
