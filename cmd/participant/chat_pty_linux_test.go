package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant/chat"
	"github.com/connectchat/participant/internal/wire"
	"github.com/connectchat/participant/participanttest"
)

// openPTY opens a pseudo-terminal pair with the standard library only.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	var unlock int32
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock)))
	require.Zero(t, e, "unlockpt: %v", e)
	var n uint32
	_, _, e = syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n)))
	require.Zero(t, e, "ptsname: %v", e)
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	require.NoError(t, err)
	return m, s
}

// screen collects what the program writes to the terminal.
type screen struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// String returns what the terminal shows, row by row, each ended by "\n"
// but the cursor's: what the program wrote, played on a terminal of
// ptyCols columns (and unlimited rows, so nothing scrolls away). A cursor
// at the start of an empty row makes the string end with "\n".
func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := &vt{w: ptyCols}
	v.feed(s.buf.String())
	return v.String()
}

// text is String with the rows the terminal wrapped joined again: a row
// as wide as the terminal continues on the next.
func (s *screen) text() string {
	var b strings.Builder
	rows := s.rows()
	for i, r := range rows {
		b.WriteString(r)
		if i < len(rows)-1 && len([]rune(r)) < ptyCols {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// rows returns the terminal's rows, as String shows them.
func (s *screen) rows() []string { return strings.Split(s.String(), "\n") }

// ptyCols is the width of the tests' terminals.
const ptyCols = 60

// vt is the part of a VT100 that the chat's line editor and the Linux
// terminal driver use: printing with the wrap an xterm does (a character
// written in the last column leaves the cursor there until the next one),
// CR, LF, BS, cursor moves (CSI A, B, C, D, H), erasing (CSI K, CSI 2J).
// Anything else is ignored.
type vt struct {
	w       int
	rows    [][]rune
	x, y    int
	pending bool // the cursor is past the last column: the next character wraps
}

func (v *vt) row() []rune {
	for len(v.rows) <= v.y {
		v.rows = append(v.rows, nil)
	}
	return v.rows[v.y]
}

func (v *vt) put(r rune) {
	if v.pending {
		v.x, v.y, v.pending = 0, v.y+1, false
	}
	row := v.row()
	for len(row) <= v.x {
		row = append(row, ' ')
	}
	row[v.x] = r
	v.rows[v.y] = row
	if v.x == v.w-1 {
		v.pending = true
	} else {
		v.x++
	}
}

func (v *vt) feed(s string) {
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '\r':
			v.x, v.pending = 0, false
		case r == '\n':
			v.y, v.pending = v.y+1, false
		case r == '\b':
			v.x, v.pending = max(0, v.x-1), false
		case r == 0x1b && i+1 < len(rs) && rs[i+1] == '[':
			j := i + 2
			for j < len(rs) && (rs[j] >= '0' && rs[j] <= '9' || rs[j] == ';' || rs[j] == '?') {
				j++
			}
			if j == len(rs) {
				return
			}
			n, err := strconv.Atoi(string(rs[i+2 : j]))
			if err != nil || n == 0 {
				n = 1
			}
			v.pending = false
			switch rs[j] {
			case 'A':
				v.y = max(0, v.y-n)
			case 'B':
				v.y += n
			case 'C':
				v.x = min(v.w-1, v.x+n)
			case 'D':
				v.x = max(0, v.x-n)
			case 'H':
				v.x, v.y = 0, 0
			case 'K':
				if row := v.row(); len(row) > v.x {
					v.rows[v.y] = row[:v.x]
				}
			case 'J':
				v.rows = nil
			}
			i = j
		case r == 0x1b:
			i++ // ESC x: not used here
		case r >= ' ':
			v.put(r)
		}
	}
}

func (v *vt) String() string {
	v.row() // the cursor's row exists
	lines := make([]string, len(v.rows))
	for i, r := range v.rows {
		lines[i] = strings.TrimRight(string(r), " ")
	}
	return strings.Join(lines, "\n")
}

// waitFor polls the screen until it shows want.
func (s *screen) waitFor(t *testing.T, want string) {
	t.Helper()
	// The last failed Contains, with what the terminal shows, is the report.
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Contains(c, s.text(), want)
	}, 20*time.Second, 20*time.Millisecond, "the terminal never showed %q", want)
}

// waitPrompt polls the screen until its last rows show the prompt and
// typed, wrapped as the terminal wraps them.
func (s *screen) waitPrompt(t *testing.T, typed string) {
	t.Helper()
	want := strings.TrimRight("> "+typed, " ")
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		rows := s.rows()
		n := (len([]rune(want)) + ptyCols - 1) / ptyCols
		if n == 0 {
			n = 1
		}
		assert.Equal(c, want, strings.Join(rows[max(0, len(rows)-n):], ""))
	}, 20*time.Second, 20*time.Millisecond, "the prompt never showed %q", typed)
}

// ptyChat is `participant chat` running in a pseudo-terminal.
type ptyChat struct {
	master *os.File
	scr    *screen
	cmd    *exec.Cmd
	exited chan struct{}
	err    error         // cmd.Wait's, once exited is closed
	copied chan struct{} // closed when all the terminal's output is on scr
}

// startChatPTY runs the built tool with args in a new pseudo-terminal, as
// the session leader with the terminal as its controlling terminal (so that
// Ctrl-C raises SIGINT, as in a shell). vars are added to its environment.
func startChatPTY(t *testing.T, vars []string, args ...string) *ptyChat {
	t.Helper()
	master, slave := openPTY(t)
	ws := [4]uint16{24, ptyCols, 0, 0} // rows, columns, pixels
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCSWINSZ, uintptr(unsafe.Pointer(&ws)))
	require.Zero(t, e, "TIOCSWINSZ: %v", e)
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), vars...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	require.NoError(t, cmd.Start())
	slave.Close()
	copied := make(chan struct{})
	p := &ptyChat{master: master, scr: &screen{}, cmd: cmd, exited: make(chan struct{}), copied: copied}
	go func() {
		defer close(copied)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			_, _ = p.scr.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	go func() { p.err = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = cmd.Process.Kill()
			<-p.exited
		}
		master.Close()
		<-copied
	})
	return p
}

// typeKeys writes s to the terminal one key at a time.
func (p *ptyChat) typeKeys(t *testing.T, s string) {
	t.Helper()
	for _, c := range s {
		_, err := p.master.Write([]byte(string(c)))
		require.NoError(t, err)
	}
}

// wait waits for the process to exit and returns its exit code.
func (p *ptyChat) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		require.FailNow(t, "participant chat did not exit", "the terminal shows:\n%s", p.scr.String())
	}
	// What the program wrote just before it exited may still be in the
	// terminal: the copy ends (EIO) once it is all read.
	select {
	case <-p.copied:
	case <-time.After(5 * time.Second):
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	require.NoError(t, p.err)
	return 0
}

// TestChatInTerminal drives `participant chat` through a pseudo-terminal:
// it types a message key by key, sees the echo agent type and answer, reads
// the transcript and quits.
func TestChatInTerminal(t *testing.T) {
	t.Parallel()
	p := startChatPTY(t, nil, "chat", "--name", "Tess")
	scr := p.scr
	scr.waitFor(t, "Type a message and press Enter.\n")
	scr.waitFor(t, "Echo: Hi! I repeat what you say.")
	scr.waitPrompt(t, "")
	assert.NotContains(t, scr.String(), "> >", "the prompt is drawn twice")
	p.typeKeys(t, "hello terminal\r")
	scr.waitFor(t, "you: hello terminal")
	scr.waitFor(t, "Echo is typing")
	scr.waitFor(t, "(read by Echo)")
	scr.waitFor(t, "Echo: hello terminal")
	assert.NotContains(t, scr.String(), "Tess is typing", "the chat shows this participant's own typing")
	p.typeKeys(t, "/transcript\r")
	scr.waitFor(t, "--- transcript:")
	scr.waitFor(t, "MESSAGE    Tess: hello terminal")
	p.typeKeys(t, "/quit\r")
	assert.Equal(t, 0, p.wait(t), "exit code after /quit:\n%s", scr.String())
	out := scr.String()
	assert.Contains(t, out, "You left the chat.")
	assert.True(t, strings.HasSuffix(out, "\n"), "the last line is not ended: %q", out[max(0, len(out)-80):])
	assert.NotContains(t, out, "> >")
}

// TestChatInterrupt presses Ctrl-C while a line is half typed: the chat is
// left (the customer's PARTICIPANT_LEFT and the end of the chat are in the
// service's transcript), the half-typed line ends with ^C on a line of its
// own, the last output line is ended, and the exit code is 130.
func TestChatInterrupt(t *testing.T) {
	t.Parallel()
	srv := participanttest.NewServer(participanttest.WithAgent(func() participanttest.Agent {
		return participanttest.EchoAgent{DisplayName: "Echo", Greeting: "Say something."}
	}))
	t.Cleanup(srv.Close)
	cust, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Cleo"})
	require.NoError(t, err)
	p := startChatPTY(t, []string{"PARTICIPANT_TOKEN=" + cust.ParticipantToken.Reveal()}, "chat", "--endpoint", srv.URL)
	p.scr.waitFor(t, "Echo: Say something.")
	p.typeKeys(t, "half typ")
	p.scr.waitFor(t, "> half typ")
	p.typeKeys(t, "\x03")
	assert.Equal(t, exitCanceled, p.wait(t), "exit code after Ctrl-C:\n%s", p.scr.String())
	out := p.scr.String()
	assert.Contains(t, out, "> half typ^C\n", "the half-typed line is not left as a shell leaves it")
	assert.Contains(t, out, "You left the chat.\n")
	assert.True(t, strings.HasSuffix(out, "\n"), "the prompt is left on the last line: %q", out[max(0, len(out)-80):])

	var left, ended bool
	for _, it := range srv.Transcript(cust.ContactID) {
		left = left || it.ContentType == string(wire.ContentTypeParticipantLeft) && it.ParticipantID == cust.ParticipantID
		ended = ended || it.ContentType == string(wire.ContentTypeChatEnded)
	}
	assert.True(t, left, "the customer did not leave the chat")
	assert.True(t, ended, "the chat did not end")
}

// typeRaw writes s to the terminal in one write, as a terminal sends the
// bytes of one key.
func (p *ptyChat) typeRaw(t *testing.T, s string) {
	t.Helper()
	_, err := p.master.Write([]byte(s))
	require.NoError(t, err)
}

// messagesOf returns the contents of the messages participantID sent, in
// the transcript's order.
func messagesOf(srv *participanttest.Server, contactID, participantID string) []string {
	var out []string
	for _, it := range srv.Transcript(contactID) {
		if it.Type == "MESSAGE" && it.ParticipantID == participantID {
			out = append(out, it.Content)
		}
	}
	return out
}

// localChat starts a service without an agent and a customer's chat on it.
func localChat(t *testing.T, opts ...participanttest.Option) (*participanttest.Server, participanttest.Participant) {
	t.Helper()
	srv := participanttest.NewServer(opts...)
	t.Cleanup(srv.Close)
	cust, err := srv.StartChat(participanttest.ChatOptions{DisplayName: "Lena"})
	require.NoError(t, err)
	return srv, cust
}

// TestChatLineEditing edits lines with the keys of a terminal: arrows,
// history, Home, Ctrl-U, Ctrl-W, a function key, and a line longer than the
// terminal is wide. Exactly the edited texts are sent: no part of an escape
// sequence, no control character.
func TestChatLineEditing(t *testing.T) {
	t.Parallel()
	srv, cust := localChat(t)
	p := startChatPTY(t, []string{"PARTICIPANT_TOKEN=" + cust.ParticipantToken.Reveal()}, "chat", "--endpoint", srv.URL)
	p.scr.waitFor(t, "Lena joined")
	p.scr.waitPrompt(t, "")
	long := strings.Repeat("0123456789", 15) // 150 characters: 3 rows of 60
	steps := []struct{ keys, want string }{
		{"abc\x1b[D\x1b[DX\r", "aXbc"},             // Left, Left, insert
		{"\x1b[A\x1b[Hre:\r", "re:aXbc"},           // Up (history), Home, insert
		{"garbage\x15clean\r", "clean"},            // Ctrl-U
		{"hello wrold\x17world\r", "hello world"},  // Ctrl-W
		{"f1\x1bOPok\x1b[1;5C\x1b[2~!\r", "f1ok!"}, // F1, Ctrl-Right, Insert: nothing typed
		{"\x1b[A\x1b[A\x1b[B\x1b[D\x08\r", "f1o!"}, // Up, Up, Down (newest first: back to "f1ok!"), Left, Backspace
		{long + "\r", long},
	}
	var want []string
	for _, s := range steps {
		for _, key := range splitKeys(s.keys) {
			p.typeRaw(t, key)
		}
		want = append(want, s.want)
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			assert.Equal(c, want, messagesOf(srv, cust.ContactID, cust.ParticipantID))
		}, 20*time.Second, 20*time.Millisecond, "the terminal shows:\n%s", p.scr.String())
	}
	p.scr.waitFor(t, "you: 0123456789")
	p.scr.waitPrompt(t, "")
	// The long line was typed over three rows: each shows once, and no
	// stale copy of a row is left.
	screen := strings.Join(p.scr.rows(), "")
	assert.Equal(t, 2, strings.Count(screen, long), "the typed line and its echo, once each:\n%s", p.scr.String())
	p.typeRaw(t, "\x04") // Ctrl-D on an empty line: leave
	assert.Equal(t, 0, p.wait(t), "exit code after Ctrl-D:\n%s", p.scr.String())
	p.scr.waitFor(t, "You left the chat.")
}

// splitKeys cuts a string of keys into what a terminal sends one key at a
// time: escape sequences whole, other characters one by one.
func splitKeys(s string) []string {
	var keys []string
	for len(s) > 0 {
		n := len(string([]rune(s)[0]))
		if s[0] == 0x1b && len(s) > 2 {
			n = 3
			if s[1] == '[' {
				n = 2
				for n < len(s) && (s[n] >= '0' && s[n] <= '9' || s[n] == ';') {
					n++
				}
				n++
			}
		}
		keys = append(keys, s[:n])
		s = s[n:]
	}
	return keys
}

// TestChatWhileTyping: a message arrives while a long line is half typed.
// It shows above the line, which stays as typed, once; the message is
// marked read for its sender; the line is then sent whole.
func TestChatWhileTyping(t *testing.T) {
	t.Parallel()
	srv, cust := localChat(t)
	agent, err := srv.AddParticipant(cust.ContactID, participanttest.RoleAgent, "Sam")
	require.NoError(t, err)
	sam, err := chat.Connect(t.Context(), srv.Client(), agent.ParticipantToken, nil)
	require.NoError(t, err)
	t.Cleanup(func() { sam.Close() })
	p := startChatPTY(t, []string{"PARTICIPANT_TOKEN=" + cust.ParticipantToken.Reveal()}, "chat", "--endpoint", srv.URL)
	p.scr.waitFor(t, "Sam joined")
	p.scr.waitPrompt(t, "")

	typed := "I am typing a long answer " + strings.Repeat("word ", 14) + "and"
	p.typeKeys(t, typed)
	p.scr.waitPrompt(t, typed)
	out, err := sam.SendMessage(t.Context(), &chat.Message{Content: "Are you still there?"})
	require.NoError(t, err)
	p.scr.waitFor(t, "Sam: Are you still there?")
	p.scr.waitPrompt(t, typed)
	assert.Equal(t, 1, strings.Count(strings.Join(p.scr.rows(), ""), typed), "the half-typed line, once:\n%s", p.scr.String())

	// Sam sees the message read: it was shown.
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	for {
		ev, err := sam.Next(ctx)
		require.NoError(t, err, "no read receipt for the message shown")
		if ev.Kind == chat.KindReadReceipt && ev.MessageID == out.ID {
			break
		}
	}

	p.typeKeys(t, " done\r")
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Equal(c, []string{typed + " done"}, messagesOf(srv, cust.ContactID, cust.ParticipantID))
	}, 20*time.Second, 20*time.Millisecond)
	p.typeKeys(t, "/quit\r")
	assert.Equal(t, 0, p.wait(t), p.scr.String())
}

// TestChatResend: a message the service fails to take (three server
// errors, all the client's attempts) is reported as not sent yet, sent
// again, and reaches the chat once.
func TestChatResend(t *testing.T) {
	t.Parallel()
	srv, cust := localChat(t)
	p := startChatPTY(t, []string{"PARTICIPANT_TOKEN=" + cust.ParticipantToken.Reveal()}, "chat", "--endpoint", srv.URL)
	p.scr.waitFor(t, "Lena joined")
	srv.Inject(participanttest.Fail("SendMessage", "InternalServerException").Times(3).ForParticipant(cust.ParticipantID))
	p.typeKeys(t, "try again\r")
	p.scr.waitFor(t, "(not sent yet, the service did not take it")
	p.scr.waitFor(t, "(sent: try again)")
	p.scr.waitFor(t, "you: try again")
	assert.Equal(t, []string{"try again"}, messagesOf(srv, cust.ContactID, cust.ParticipantID))
	p.typeKeys(t, "/quit\r")
	assert.Equal(t, 0, p.wait(t), p.scr.String())
}

// TestChatServiceRestart: `participant chat --endpoint URL` starts its own
// chat on a service that is then stopped and started again on the same
// address. The chat says the connection was lost, keeps the message typed
// meanwhile, and when the new service does not know the chat, says why,
// lists the message as not sent, and exits non-zero.
func TestChatServiceRestart(t *testing.T) {
	t.Parallel()
	echo := participanttest.WithAgent(func() participanttest.Agent {
		return participanttest.EchoAgent{DisplayName: "Echo", Greeting: "Say something."}
	})
	serve := func(addr string) *participanttest.Server {
		var ln net.Listener
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			var err error
			ln, err = net.Listen("tcp", addr)
			assert.NoError(c, err)
		}, 10*time.Second, 50*time.Millisecond)
		srv := participanttest.NewUnstartedServer(echo)
		srv.Listener = ln
		srv.Start()
		t.Cleanup(srv.Close)
		return srv
	}
	srv := serve("127.0.0.1:0")
	p := startChatPTY(t, nil, "chat", "--endpoint", srv.URL, "--name", "Rita")
	p.scr.waitFor(t, "Started a chat on "+srv.URL)
	p.scr.waitFor(t, "Echo: Say something.")
	p.typeKeys(t, "first\r")
	p.scr.waitFor(t, "Echo: first")

	srv.Close()
	p.scr.waitFor(t, "connection lost, reconnecting")
	p.typeKeys(t, "are you there?\r")
	p.scr.waitFor(t, "(not sent yet, the service does not answer")
	serve(strings.TrimPrefix(srv.URL, "http://"))
	p.scr.waitFor(t, "the chat has ended: the service refused to reconnect it")
	code := p.wait(t)
	out := p.scr.text()
	assert.Contains(t, out, "Not sent (the chat ended first): are you there?")
	assert.Contains(t, out, "participant chat: the chat ended while the connection was down")
	assert.Equal(t, exitAccessDenied, code, "exit code:\n%s", out)
}
