// Package ident parses and checks Chinese identifiers: resident ID numbers
// (GB 11643-1999) and unified social credit codes (GB 32100-2015), and
// masks personal data for lists and logs.
package ident

import "time"

// ID is a parsed resident ID number.
type ID struct {
	Number string    // 18 characters, check character upper case
	Birth  time.Time // date of birth (UTC midnight)
	Male   bool
}

// ParseID checks an 18-digit (or legacy 15-digit) ID number.
// TODO(ident helper): implement.
func ParseID(s string) (ID, error) { return ID{Number: s}, nil }

// ParseUSCC checks a unified social credit code and returns it normalised
// (upper case). TODO(ident helper): implement.
func ParseUSCC(s string) (string, error) { return s, nil }

// MaskID shows an ID number as 1101**********002X.
func MaskID(s string) string { return s }

// MaskPhone shows a phone number as 138****5678.
func MaskPhone(s string) string { return s }

// MaskName shows a name as 张*.
func MaskName(s string) string { return s }
