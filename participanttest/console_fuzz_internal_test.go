package participanttest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzConsoleFaultSpec feeds arbitrary bodies to the console's fault form
// decoder: it never panics; what it accepts is a fault the server can list,
// whose kind is the one asked for, and a spec it refuses says why.
func FuzzConsoleFaultSpec(f *testing.F) {
	for _, s := range []string{
		`{"kind":"Fail","op":"SendMessage","code":"ThrottlingException","times":2}`,
		`{"kind":"Throttle","op":"*","rate":0.5,"burst":3}`,
		`{"kind":"Latency","delay":"1500ms","probability":0.25,"after":1}`,
		`{"kind":"CloseSocket","closeCode":4000,"reason":"x","contactId":"c"}`,
		`{"kind":"RefuseWebSocket","status":503,"participantId":"p","always":true}`,
		`{"kind":"ErrorFrame","message":"Internal server error"}`,
		`{"kind":"Throttle","rate":1e308,"burst":-5}`, `{"kind":"Latency","delay":"9999h"}`,
		`{}`, `null`, `[]`, `{"kind":7}`, "\xff",
		`{"spec":"Fail(SendMessage, ThrottlingException).Always().Probability(0.5)"}`,
		`{"kind":"Fail)(.Always(","op":"\")","code":"a,b"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var sp faultSpec
		if json.Unmarshal(b, &sp) != nil {
			return
		}
		fault, err := ParseFault(sp.text())
		if err != nil {
			require.NotEmpty(t, err.Error(), "spec %q refused without a reason", b)
			return
		}
		if sp.Spec == "" {
			require.True(t, strings.EqualFold(sp.Kind, fault.kind.String()), "spec %q made another kind of fault", b)
		}
		s := NewUnstartedServer(WithSeed(1))
		defer s.Close()
		require.NoError(t, s.Inject(fault))
		s.mu.Lock()
		views := s.faultViews()
		s.mu.Unlock()
		require.Len(t, views, 1, "spec %q listed as %+v", b, views)
		require.NotEmpty(t, views[0].Description, "spec %q listed as %+v", b, views)
		require.Equal(t, 1, views[0].ID, "spec %q listed as %+v", b, views)
	})
}
