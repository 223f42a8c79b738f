package chat_test

import (
	"bufio"
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/connectchat/participant/participanttest"
)

// emulatorChild, when set in the environment, makes the test binary serve
// the emulator on a loopback port instead of running tests: the benchmarks
// that measure the client side alone run it in a process of its own.
const emulatorChild = "CHAT_TEST_EMULATOR_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(emulatorChild) != "" {
		serveEmulator()
		return
	}
	goleak.VerifyTestMain(m)
}

// serveEmulator serves an emulator, prints its URL, and stops when stdin
// closes. It has no cap on concurrent chats: the benchmarks start 10,000
// and more.
func serveEmulator() {
	srv := participanttest.NewServer(participanttest.WithSeed(1), participanttest.WithMaxChats(0))
	fmt.Println(srv.URL)
	bufio.NewReader(os.Stdin).ReadString('\n')
	srv.Close()
}
