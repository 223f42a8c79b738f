package participant

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/smithy-go"
	"github.com/connectchat/participant/internal/ops"
)

// paramError is one model constraint an input breaks. It implements
// smithy.InvalidParamError, so callers reach it through
// [smithy.InvalidParamsError.Errs] and its Field method.
type paramError struct {
	context, nested, field, reason string
}

func (e *paramError) Error() string { return e.reason + ", " + e.Field() + "." }

// Field returns the path of the field, such as "SendEventInput.Content".
func (e *paramError) Field() string {
	var b strings.Builder
	b.WriteString(e.context)
	if e.nested != "" {
		if b.Len() > 0 && e.nested[0] != '[' {
			b.WriteByte('.')
		}
		b.WriteString(e.nested)
	}
	if b.Len() > 0 {
		b.WriteByte('.')
	}
	b.WriteString(e.field)
	return b.String()
}

func (e *paramError) SetContext(ctx string) { e.context = ctx }

func (e *paramError) AddNestedContext(ctx string) {
	switch {
	case e.nested == "":
		e.nested = ctx
	case e.nested[0] == '[':
		e.nested = ctx + e.nested
	default:
		e.nested = ctx + "." + e.nested
	}
}

// validator collects every constraint an input breaks, so that one error
// names all of them. Lengths count characters (Unicode code points), as the
// Smithy length trait does.
type validator struct {
	op   *ops.Op
	name string // the input's name when it is not op.Name+"Input"
	errs smithy.InvalidParamsError
}

// newValidator starts the checks of an input of op: first its token, in
// the field the operation takes it from.
func newValidator(op *ops.Op, tok Token) validator {
	v := validator{op: op}
	v.token(op.Token.Field(), tok)
	return v
}

func (v *validator) put(err smithy.InvalidParamError) {
	if v.errs.Context == "" {
		v.errs.Context = v.name
		if v.name == "" {
			v.errs.Context = v.op.Name + "Input"
		}
	}
	v.errs.Add(err)
}

func (v *validator) add(field, reason string) {
	v.put(&paramError{field: field, reason: reason})
}

// err returns the collected violations, or nil. It returns a copy so that
// the validator itself stays on the stack.
func (v *validator) err() error {
	if v.errs.Len() == 0 {
		return nil
	}
	e := v.errs
	return &e
}

// runeLen counts the characters of s, not looking past max+1 of them.
func runeLen(s string, max int) int {
	if len(s) <= max {
		return utf8.RuneCountInString(s)
	}
	n := 0
	for range s {
		n++
		if n > max {
			break
		}
	}
	return n
}

// required checks a required string member: present, min..max characters,
// valid UTF-8.
func (v *validator) required(field, s string, min, max int) {
	if s == "" {
		v.put(smithy.NewErrParamRequired(field))
		return
	}
	v.length(field, s, min, max)
}

// optional checks a string member that may be empty ("" means not sent).
func (v *validator) optional(field, s string, min, max int) {
	if s != "" {
		v.length(field, s, min, max)
	}
}

func (v *validator) length(field, s string, min, max int) {
	if !utf8.ValidString(s) {
		v.add(field, "not valid UTF-8")
		return
	}
	if n := runeLen(s, max); n < min || n > max {
		got := strconv.Itoa(n)
		if n > max {
			got = "more than " + strconv.Itoa(max)
		}
		v.add(field, "length must be "+strconv.Itoa(min)+" to "+strconv.Itoa(max)+" characters, got "+got)
	}
}

// token checks a bearer token: required, 1..1000 characters, and free of the
// control characters an HTTP header cannot carry. The message never shows the
// token.
func (v *validator) token(field string, t Token) {
	s := string(t)
	if s == "" {
		v.put(smithy.NewErrParamRequired(field))
		return
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			v.add(field, "contains a control character, which an HTTP header cannot carry")
			return
		}
	}
	v.length(field, s, 1, 1000)
}

// intRange checks an integer member that is sent only when set.
func (v *validator) intRange(field string, n, min, max int64) {
	if n < min || n > max {
		v.add(field, "must be "+strconv.FormatInt(min, 10)+" to "+strconv.FormatInt(max, 10)+", got "+strconv.FormatInt(n, 10))
	}
}

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
