package participant

import (
	"encoding/json"
	"testing"
)

// FuzzAppendJSONString checks the hand-written string encoder against
// encoding/json: the output must be valid JSON that decodes to what
// encoding/json decodes from its own encoding.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uote\back`, "line\nfeed\r\t", "\x00\x1f\x7f", "é日本\u2028\u2029", "bad\xffutf8", "<html>&amp;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("appendJSONString(%q) = %s: not JSON: %v", s, got, err)
		}
		want, _ := json.Marshal(s)
		var wantBack string
		if err := json.Unmarshal(want, &wantBack); err != nil {
			t.Fatal(err)
		}
		if back != wantBack {
			t.Fatalf("appendJSONString(%q) decodes to %q, encoding/json's to %q", s, back, wantBack)
		}
	})
}

func TestJSONObject(t *testing.T) {
	t.Parallel()
	o := newJSONObject(16)
	o.str("A", "x\"y")
	o.strIf("B", "")
	o.int("C", -5)
	o.bool("D", true)
	o.strs("E", []string{"1", "2"})
	o.raw("F", []byte(`{}`))
	got := string(o.bytes())
	want := `{"A":"x\"y","C":-5,"D":true,"E":["1","2"],"F":{}}`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if e := newJSONObject(0); string(e.bytes()) != "{}" {
		t.Errorf("empty object %s", e.bytes())
	}
}
