package main

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// openPTY opens a pseudo-terminal pair with the standard library only.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Fatalf("unlockpt: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Fatalf("ptsname: %v", e)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
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

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// waitFor polls the screen until it shows want.
func (s *screen) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(s.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the terminal never showed %q; it shows:\n%s", want, s.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestChatInTerminal drives `participant chat` through a pseudo-terminal:
// it types a message key by key, sees the echo agent type and answer, reads
// the transcript and quits.
func TestChatInTerminal(t *testing.T) {
	t.Parallel()
	master, slave := openPTY(t)
	defer master.Close()
	cmd := exec.Command(binary, "chat", "--name", "Tess")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	scr := &screen{}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			_, _ = scr.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	defer func() {
		select {
		case <-exited:
		default:
			_ = cmd.Process.Kill()
			<-exited
		}
	}()

	scr.waitFor(t, "Type a message and press Enter.")
	scr.waitFor(t, "Echo: Hi! I repeat what you say.")
	for _, c := range "hello terminal" {
		if _, err := master.Write([]byte(string(c))); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = master.Write([]byte("\r"))
	scr.waitFor(t, "you: hello terminal")
	scr.waitFor(t, "Echo is typing")
	scr.waitFor(t, "(read by Echo)")
	scr.waitFor(t, "Echo: hello terminal")
	if strings.Contains(scr.String(), "Tess is typing") {
		t.Error("the chat shows this participant's own typing")
	}
	_, _ = master.Write([]byte("/transcript\r"))
	scr.waitFor(t, "--- transcript:")
	scr.waitFor(t, "MESSAGE    Tess: hello terminal")
	_, _ = master.Write([]byte("/quit\r"))
	select {
	case <-exited:
		if waitErr != nil {
			t.Errorf("participant chat exited with %v:\n%s", waitErr, scr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("participant chat did not exit after /quit:\n%s", scr.String())
	}
	master.Close()
	<-copied
	if !strings.Contains(scr.String(), "You left the chat.") {
		t.Errorf("no goodbye:\n%s", scr.String())
	}
}
