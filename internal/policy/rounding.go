package policy

import (
	"strings"

	"shebao/internal/errs"
)

// The values of KeyBaseRounding: limits and bases rounded half-up to whole
// yuan, or kept to the fen.
const (
	RoundYuan = "yuan"
	RoundFen  = "fen"
)

// RoundingName is the Chinese label of a base-rounding value.
func RoundingName(v string) string {
	switch v {
	case RoundYuan:
		return "按元取整"
	case RoundFen:
		return "保留到分"
	}
	return "未知取整方式"
}

// parseRounding reads a base-rounding value as a person enters it: its
// Chinese label, 元 or 分, or the stored code.
func parseRounding(s string) (string, error) {
	switch strings.TrimSpace(s) {
	case RoundYuan, "元", "按元取整", "取整到元":
		return RoundYuan, nil
	case RoundFen, "分", "保留到分", "按分":
		return RoundFen, nil
	}
	return "", errs.New(errs.Invalid, "bad_value", "取整方式请填写“按元取整”或“保留到分”")
}
