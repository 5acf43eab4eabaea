package apipixtest

import (
	"fmt"
	"time"
)

// NewEndToEndID returns a well-formed endToEndId: "E", the 8-digit ispb,
// at in UTC as yyyyMMddHHmm, and seq as 11 characters (decimal, zero
// padded, modulo 10^11). It panics when ispb is not 8 digits: that is a
// mistake in the test.
func NewEndToEndID(ispb string, at time.Time, seq int) string {
	if len(ispb) != 8 {
		panic(fmt.Sprintf("apipixtest: ISPB %q is not 8 digits", ispb))
	}
	for _, c := range ispb {
		if c < '0' || c > '9' {
			panic(fmt.Sprintf("apipixtest: ISPB %q is not 8 digits", ispb))
		}
	}
	n := seq % 100_000_000_000
	if n < 0 {
		n = -n
	}
	return fmt.Sprintf("E%s%s%011d", ispb, at.UTC().Format("200601021504"), n)
}
