package connectjoin_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/bot"
	"github.com/connectchat/participant/bot/connectjoin"
	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/examples/bot/hours"
)

// binary is `participant`, built from this repository for the tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "connectjoin-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "participant")
	build := exec.Command("go", "build", "-o", binary, "./cmd/participant")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		panic("building participant: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// TestClientToken: the ClientToken is the same for the same contact and
// bot, and differs otherwise.
func TestClientToken(t *testing.T) {
	t.Parallel()
	a := connectjoin.ClientToken("contact-1", "Hours Bot")
	assert.Equal(t, a, connectjoin.ClientToken("contact-1", "Hours Bot"))
	assert.NotEqual(t, a, connectjoin.ClientToken("contact-2", "Hours Bot"))
	assert.NotEqual(t, a, connectjoin.ClientToken("contact-1", "Other Bot"))
	assert.NotEqual(t, connectjoin.ClientToken("a\x00b", "c"), connectjoin.ClientToken("a", "b\x00c"))
	assert.Len(t, a, 36)
}

// local is a `participant local` process.
type local struct {
	endpoint string
}

func startLocal(t *testing.T, args ...string) *local {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"local", "--addr", "127.0.0.1:0", "--agent", "none"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	l := &local{}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), "Local Amazon Connect Participant Service at "); ok {
			l.endpoint = strings.Fields(rest)[0]
			break
		}
	}
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			assert.NoError(t, err, "stderr: %s", &stderr)
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			assert.Fail(t, "participant local did not stop")
		}
		<-drained
	})
	if l.endpoint == "" {
		require.FailNow(t, "participant local printed no endpoint", "stderr: %s", &stderr)
	}
	return l
}

// connectClient is aws-sdk-go-v2's Amazon Connect client for the local
// service: it signs with dummy keys, which the service ignores.
func (l *local) connectClient() *connect.Client {
	return connect.New(connect.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(l.endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local"}, nil
		}),
	})
}

// TestBotOnLocalProcess runs the example bot through the runtime against
// a `participant local` process, as on Amazon Connect: chats started with
// the connect client's StartChatContact, contact events POSTed by the
// process to the runner's HTTP intake (each delivered twice), joins with
// connectjoin. 200 chats are each answered once by one bot; one handler
// panics while the others go on; Shutdown with the chats open leaves each.
func TestBotOnLocalProcess(t *testing.T) {
	t.Parallel()
	const chats = 200
	const secret = "local-secret"

	var intake http.Handler
	intakeReady := make(chan struct{})
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-intakeReady
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		// EventBridge delivers at least once: every event twice here, at
		// the same time.
		var wg sync.WaitGroup
		wg.Go(func() {
			req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/", bytes.NewReader(body))
			req.Header = r.Header.Clone()
			intake.ServeHTTP(httptest.NewRecorder(), req)
		})
		r.Body = io.NopCloser(bytes.NewReader(body))
		intake.ServeHTTP(w, r)
		wg.Wait()
	}))
	t.Cleanup(recv.Close)

	l := startLocal(t, "--contact-events", recv.URL+"/events,"+secret)
	cc := l.connectClient()
	client := participant.New(participant.Options{BaseEndpoint: l.endpoint})
	t.Cleanup(client.CloseIdleConnections)

	var (
		started   = make(chan struct{})
		panicMu   sync.Mutex
		panicking string
	)
	r, err := bot.New(bot.Options{
		Client: client,
		Join:   connectjoin.New(cc, "local-instance", "Hours Bot"),
		Handle: func(ctx context.Context, c *bot.Chat) error {
			select {
			case <-started:
			case <-ctx.Done():
				return ctx.Err()
			}
			panicMu.Lock()
			p := panicking
			panicMu.Unlock()
			if c.ContactID() == p {
				panic("a broken handler")
			}
			return hours.Handle(ctx, c)
		},
	})
	require.NoError(t, err)
	intake, err = r.ContactEvents(bot.IntakeOptions{Secret: secret})
	require.NoError(t, err)
	close(intakeReady)

	type cust struct {
		contactID string
		sess      *chat.Session
	}
	custs := make([]*cust, chats)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := range custs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			out, err := cc.StartChatContact(t.Context(), &connect.StartChatContactInput{
				InstanceId: aws.String("local-instance"), ContactFlowId: aws.String("flow"),
				ParticipantDetails: &types.ParticipantDetails{DisplayName: aws.String(fmt.Sprint("Customer ", i))},
				InitialMessage:     &types.ChatMessage{ContentType: aws.String("text/plain"), Content: aws.String("What are your opening hours?")},
			})
			if !assert.NoError(t, err) {
				return
			}
			s, err := chat.Connect(t.Context(), client, participant.Token(aws.ToString(out.ParticipantToken)), nil)
			if assert.NoError(t, err) {
				custs[i] = &cust{contactID: aws.ToString(out.ContactId), sess: s}
			}
		})
	}
	wg.Wait()
	for _, c := range custs {
		require.NotNil(t, c)
		t.Cleanup(func() { _ = c.sess.Close() })
	}
	panicMu.Lock()
	panicking = custs[7].contactID
	panicMu.Unlock()
	close(started)

	// Each customer sees one bot join and one answer (the panicking chat:
	// the bot joins and leaves).
	isBot := func(ev chat.Event) bool { return ev.Item.ParticipantRole == participant.ParticipantRoleCustomBot }
	for i, c := range custs {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
			defer cancel()
			for {
				ev, err := c.sess.Next(ctx)
				if !assert.NoError(t, err, "chat %d", i) {
					return
				}
				if i == 7 && ev.Kind == chat.KindParticipantLeft && isBot(ev) {
					return
				}
				if i != 7 && ev.Kind == chat.KindMessage && isBot(ev) {
					assert.Equal(t, hours.HoursReply, ev.Item.Content)
					return
				}
			}
		})
	}
	wg.Wait()
	st := r.Stats()
	assert.EqualValues(t, chats, st.Joined)
	assert.GreaterOrEqual(t, st.Duplicates, int64(chats), "every INITIATED came twice")
	assert.EqualValues(t, 1, st.Panics)

	// Shutdown with the chats open: the handlers' ctx ends at the deadline
	// and every bot leaves.
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, r.Shutdown(ctx), context.DeadlineExceeded)
	st = r.Stats()
	assert.EqualValues(t, chats, st.Left)
	assert.Zero(t, st.Active+int(st.LeaveErrs+st.Abandoned))

	// The service's record: one bot joined and left per chat, and one
	// answer.
	for i, c := range custs {
		var joined, left, answers int
		var next *string
		for range 20 {
			out, err := client.GetTranscript(t.Context(), &participant.GetTranscriptInput{
				ConnectionToken: c.sess.ConnectionToken(), MaxResults: 100, NextToken: aws.ToString(next),
			})
			require.NoError(t, err)
			for _, it := range out.Transcript {
				if it.ParticipantRole != participant.ParticipantRoleCustomBot {
					continue
				}
				switch {
				case it.Type == participant.ChatItemTypeMessage:
					answers++
				case strings.HasSuffix(string(it.ContentType), ".participant.joined"):
					joined++
				case strings.HasSuffix(string(it.ContentType), ".participant.left"):
					left++
				}
			}
			if out.NextToken == "" {
				break
			}
			next = aws.String(out.NextToken)
		}
		assert.Equal(t, 1, joined, "chat %d: bots joined", i)
		assert.Equal(t, 1, left, "chat %d: bots left", i)
		if i != 7 {
			assert.Equal(t, 1, answers, "chat %d: answers", i)
		}
	}

	// A repeated CreateParticipant with connectjoin's ClientToken gets the
	// first participant, not a second bot.
	join := connectjoin.New(cc, "local-instance", "Hours Bot")
	a, err := join(t.Context(), custs[0].contactID)
	require.NoError(t, err)
	b, err := join(t.Context(), custs[0].contactID)
	require.NoError(t, err)
	assert.Equal(t, a.Reveal(), b.Reveal())
}
