package main

import (
	"bytes"
	"errors"
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
		assert.Contains(c, s.String(), want)
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
