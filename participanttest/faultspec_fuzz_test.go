package participanttest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant/participanttest"
)

// FuzzParseFault: ParseFault never panics; what it accepts is valid, and
// its String parses back to the same fault; what it refuses says why.
func FuzzParseFault(f *testing.F) {
	for _, s := range []string{
		"Fail(SendMessage, ThrottlingException).Probability(0.1).Always()",
		"Fail(*, X).WithStatus(503).WithMessage(\"a \\\"b\\\"\").Times(3).After(2)",
		"Throttle(GetTranscript, 5, 2)", "Latency(all, 250ms)", "CloseSocket(4000, \"bye\").ForContact(c1)",
		"RefuseWebSocket()", "ErrorFrame(\"x\").ForParticipant(\"p 1\")", "DropSocket().Probability(1e-300)",
		"", "(", ")", "Fail(", "Fail(,)", "Fail(a,b).", ".Always()", "Fail(\"\\xff\", x)", "\xff(\xfe)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		fault, err := participanttest.ParseFault(spec)
		if err != nil {
			require.Nil(t, fault)
			require.NotEmpty(t, err.Error())
			return
		}
		require.NoError(t, fault.Validate(), "%q", spec)
		again, err := participanttest.ParseFault(fault.String())
		require.NoError(t, err, "%q wrote %q", spec, fault.String())
		require.Equal(t, fault.String(), again.String(), "%q", spec)
	})
}
