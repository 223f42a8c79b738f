package participant

import (
	"strconv"
	"unicode/utf8"
)

// Checks of model constraints that validate.go does not have, for the
// operations beyond SendEvent.

// exactly checks a required string member whose length is fixed, such as a
// SessionId of 36 characters.
func (v *validator) exactly(field, s string, n int) {
	if s == "" {
		v.required(field, s, n, n)
		return
	}
	if !utf8.ValidString(s) {
		v.add(field, "not valid UTF-8")
		return
	}
	if got := runeLen(s, n); got != n {
		g := strconv.Itoa(got)
		if got > n {
			g = "more"
		}
		v.add(field, "length must be exactly "+strconv.Itoa(n)+" characters, got "+g)
	}
}

// enum checks an optional enum member: "" is not sent; anything else must
// be one of values. The service rejects values outside its model, so this
// fails before any I/O instead.
func enum[T ~string](v *validator, field string, s T, values []T) {
	if s == "" {
		return
	}
	for _, x := range values {
		if s == x {
			return
		}
	}
	list := ""
	for i, x := range values {
		if i > 0 {
			list += ", "
		}
		list += string(x)
	}
	got := string(s)
	if len(got) > 100 {
		got = got[:100] + "…"
	}
	v.add(field, "must be one of "+list+", got "+strconv.Quote(got))
}

// count checks the number of items of a list member.
func (v *validator) count(field string, n, min, max int) {
	if n < min || n > max {
		want := strconv.Itoa(min) + " to " + strconv.Itoa(max)
		if min == max {
			want = "exactly " + strconv.Itoa(min)
		}
		unit := " items"
		if max == 1 {
			unit = " item"
		}
		v.add(field, "must hold "+want+unit+", got "+strconv.Itoa(n))
	}
}
