package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/errs"
)

// The hash chain shows rows that were changed, but someone who can write
// to the database can delete the newest rows and set the head back to the
// last row kept: the shorter chain is still consistent. A checkpoint
// anchors the chain outside the database: the head's seq and hash, signed
// with an Ed25519 key the database never sees and written to a folder
// outside it. Verify compares the chain with every checkpoint, so a tail
// that was removed (or removed and written anew) no longer matches. See
// docs/decisions/0004-audit-hash-chain.md.

// Checkpoint is one signed record of the chain's head.
type Checkpoint struct {
	Seq       int64     `json:"seq"`
	Hash      string    `json:"hash"`
	At        time.Time `json:"at"`
	Signature string    `json:"signature"` // base64 Ed25519 signature of signedBytes
	File      string    `json:"file,omitempty"`
}

// checkpointTag starts the signed text, so a signature over anything else
// made with the same key can never pass for a checkpoint.
const checkpointTag = "shebao-audit-checkpoint/v1"

// signedBytes is the exact text a checkpoint's signature covers.
func (c Checkpoint) signedBytes() []byte {
	return []byte(checkpointTag + "\n" + strconv.FormatInt(c.Seq, 10) + "\n" + c.Hash + "\n" +
		c.At.UTC().Format(time.RFC3339Nano) + "\n")
}

func encodeSig(sig []byte) string { return base64.StdEncoding.EncodeToString(sig) }

// AnchorStatus says what the checkpoints added to a verification.
type AnchorStatus struct {
	// Configured is false when no signing key is configured; Warning then
	// says, in Chinese, what cannot be detected.
	Configured bool   `json:"configured"`
	Warning    string `json:"warning,omitempty"`
	// Checkpoints is the number of valid checkpoints the chain was compared
	// with; Latest is the one with the highest seq.
	Checkpoints int         `json:"checkpoints"`
	Latest      *Checkpoint `json:"latest,omitempty"`
	// Invalid lists, in Chinese, checkpoint files that could not be read or
	// whose signature does not verify.
	Invalid []string `json:"invalid,omitempty"`
}

// NoKeyWarning is shown when no signing key is configured.
const NoKeyWarning = "未配置审计签名密钥：如有人删除最新的若干条记录并同时改写链头（截断链尾），本校验无法发现。" +
	"请系统管理员生成签名密钥（密钥文件存放在数据库之外），配置到服务启动参数中，系统即每日签发链头检查点。"

// Anchor holds the signing key and the checkpoint folder.
type Anchor struct {
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey // nil when only the public key was given: verify, never sign
	dir  string
}

// Dir returns the folder the checkpoints are written to.
func (a *Anchor) Dir() string { return a.dir }

// CanSign reports whether the anchor holds the private key.
func (a *Anchor) CanSign() bool { return a.priv != nil }

// NewAnchor returns an anchor signing with priv into dir (tests).
func NewAnchor(priv ed25519.PrivateKey, dir string) *Anchor {
	return &Anchor{pub: priv.Public().(ed25519.PublicKey), priv: priv, dir: dir}
}

// LoadAnchor reads the key file at keyPath: a PEM "PRIVATE KEY" (PKCS #8
// Ed25519, as GenerateKey writes) signs and verifies; a PEM "PUBLIC KEY"
// only verifies, for a server that must not sign. Checkpoints live in dir.
func LoadAnchor(keyPath, dir string) (*Anchor, error) {
	if dir == "" {
		return nil, errors.New("审计检查点目录未设置")
	}
	raw, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, fmt.Errorf("读取审计签名密钥 %s 失败：%w", keyPath, err)
	}
	blk, _ := pem.Decode(raw)
	if blk == nil {
		return nil, fmt.Errorf("审计签名密钥 %s 不是 PEM 格式", keyPath)
	}
	switch blk.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if priv, ok := k.(ed25519.PrivateKey); err == nil && ok {
			return NewAnchor(priv, dir), nil
		}
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if pub, ok := k.(ed25519.PublicKey); err == nil && ok {
			return &Anchor{pub: pub, dir: dir}, nil
		}
	}
	return nil, fmt.Errorf("审计签名密钥 %s 不是 Ed25519 密钥", keyPath)
}

// GenerateKey writes a new Ed25519 private key to path (PEM, PKCS #8,
// mode 0600) and its public key to path + ".pub", for auditors who check
// checkpoints elsewhere. It never overwrites an existing key.
func GenerateKey(path string) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("密钥文件 %s 已存在，不会覆盖", path)
		}
		return err
	}
	if err := errors.Join(pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}), f.Close()); err != nil {
		os.Remove(path)
		return err
	}
	return os.WriteFile(path+".pub", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644)
}

// Anchor returns the configured anchor, or nil.
func (s *Service) Anchor() *Anchor { return s.anchor }

// Checkpoint verifies the chain and, when it is unbroken, signs its head
// and writes the checkpoint file; a head already checkpointed is not
// written again. It records an audit entry naming the checkpoint. It
// returns a Conflict error when the chain is broken (a broken chain must
// not be signed) or no key that can sign is configured, an Internal error
// when the database or the folder fails.
func (s *Service) Checkpoint(ctx context.Context) (Checkpoint, VerifyResult, error) {
	a := s.anchor
	if a == nil || !a.CanSign() {
		return Checkpoint{}, VerifyResult{}, errs.New(errs.Conflict, "audit_key_missing", "未配置可签名的审计签名密钥，不能签发检查点")
	}
	res, err := s.Verify(ctx)
	if err != nil {
		return Checkpoint{}, res, err
	}
	if !res.OK() {
		return Checkpoint{}, res, errs.New(errs.Conflict, "audit_chain_broken", "哈希链校验未通过，不签发检查点："+res.Reason)
	}
	if l := res.Anchor.Latest; l != nil && l.Seq == res.HeadSeq && l.Hash == res.HeadHash {
		return *l, res, nil
	}
	cp := Checkpoint{Seq: res.HeadSeq, Hash: res.HeadHash, At: storedTime(s.clock.Now())}
	cp.Signature = encodeSig(ed25519.Sign(a.priv, cp.signedBytes()))
	if cp.File, err = a.write(cp); err != nil {
		return Checkpoint{}, res, errs.Wrap(err, "audit checkpoint")
	}
	err = s.Record(ctx, s.db.W, access.System, Entry{Action: "audit.checkpoint", Entity: "audit_checkpoint",
		EntityID: strconv.FormatInt(cp.Seq, 10), After: map[string]any{"seq": cp.Seq, "hash": cp.Hash, "file": cp.File}})
	return cp, res, err
}

// write stores cp in the folder under a name that sorts by seq, through a
// temporary file so a reader never sees half a checkpoint.
func (a *Anchor) write(cp Checkpoint) (string, error) {
	if err := os.MkdirAll(a.dir, 0o750); err != nil {
		return "", err
	}
	name := fmt.Sprintf("checkpoint-%012d-%s.json", cp.Seq, cp.At.UTC().Format("20060102T150405Z"))
	body, err := json.MarshalIndent(cp, "", "  ")
	if err != nil {
		return "", err
	}
	tmp := filepath.Join(a.dir, "."+name+".partial")
	if err := os.WriteFile(tmp, append(body, '\n'), 0o640); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, filepath.Join(a.dir, name)); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return name, nil
}

// load reads every checkpoint file in the folder and returns the valid
// ones in seq order and, in Chinese, why the others were refused.
func (a *Anchor) load() ([]Checkpoint, []string, error) {
	ents, err := os.ReadDir(a.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var good []Checkpoint
	var bad []string
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasPrefix(n, "checkpoint-") || !strings.HasSuffix(n, ".json") {
			continue
		}
		cp, why := a.read(filepath.Join(a.dir, n))
		if why != "" {
			bad = append(bad, "检查点文件 "+n+"："+why)
			continue
		}
		cp.File = n
		good = append(good, cp)
	}
	sort.Slice(good, func(i, j int) bool { return good[i].Seq < good[j].Seq })
	return good, bad, nil
}

// read parses and checks one checkpoint file; why is "" when it is valid.
func (a *Anchor) read(path string) (cp Checkpoint, why string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return cp, "无法读取（" + err.Error() + "）"
	}
	if err := json.Unmarshal(raw, &cp); err != nil {
		return cp, "内容格式不对，无法解析"
	}
	sig, err := base64.StdEncoding.DecodeString(cp.Signature)
	if err != nil || !ed25519.Verify(a.pub, cp.signedBytes(), sig) {
		return cp, "签名无效（文件被改动，或不是用本系统的审计签名密钥签发的）"
	}
	if cp.Seq < 0 || len(cp.Hash) != 64 {
		return cp, "序号或哈希不合规"
	}
	return cp, ""
}

// checkAnchor loads the checkpoints into res.Anchor and returns them by
// seq, for the walk to compare with. It never fails the verification for
// a folder that does not exist yet (no checkpoint written so far).
func (s *Service) checkAnchor(res *VerifyResult) (map[int64]Checkpoint, error) {
	a := s.anchor
	if a == nil {
		res.Anchor = AnchorStatus{Warning: NoKeyWarning}
		return nil, nil
	}
	res.Anchor.Configured = true
	good, bad, err := a.load()
	if err != nil {
		return nil, errs.Wrap(err, "audit checkpoints")
	}
	res.Anchor.Invalid, res.Anchor.Checkpoints = bad, len(good)
	bySeq := make(map[int64]Checkpoint, len(good))
	for _, cp := range good {
		if old, ok := bySeq[cp.Seq]; ok && old.Hash != cp.Hash {
			res.Anchor.Invalid = append(res.Anchor.Invalid, fmt.Sprintf(
				"检查点文件 %s 与 %s 对第 %d 条记录给出的哈希不同（链在两次签发之间被改写）", cp.File, old.File, cp.Seq))
		}
		bySeq[cp.Seq] = cp
	}
	if n := len(good); n > 0 {
		l := good[n-1]
		res.Anchor.Latest = &l
	}
	return bySeq, nil
}

// checkpointMismatch says why row r does not match the checkpoint of its
// seq, or "".
func checkpointMismatch(r *Record, cps map[int64]Checkpoint) string {
	cp, ok := cps[r.Seq]
	if !ok || cp.Hash == r.Hash {
		return ""
	}
	return fmt.Sprintf("第 %d 条记录的哈希与 %s 签发的检查点（%s）不符：该条或其之前的记录在签发后被删除后重写",
		r.Seq, cp.At.In(clock.Shanghai).Format("2006-01-02 15:04"), cp.File)
}

// truncatedTail reports a latest checkpoint beyond the head: rows after
// the head were removed and the head was set back.
func truncatedTail(res *VerifyResult) {
	l := res.Anchor.Latest
	if l == nil || l.Seq <= res.HeadSeq {
		return
	}
	res.FirstBad = res.HeadSeq + 1
	res.Reason = fmt.Sprintf("链尾被截断：第 %d 条至第 %d 条记录缺失（%s 签发的检查点记录链长为 %d 条，数据库中的链只到第 %d 条）",
		res.HeadSeq+1, l.Seq, l.At.In(clock.Shanghai).Format("2006-01-02 15:04"), l.Seq, res.HeadSeq)
}
