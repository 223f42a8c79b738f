package bot_test

import (
	"bufio"
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/connectchat/participant/participanttest"
)

// emulatorChild, when set in the environment, makes the test binary serve
// the emulator on a loopback port instead of running tests: the benchmark
// that measures the bots' process alone runs it in a process of its own.
const emulatorChild = "BOT_TEST_EMULATOR_CHILD"

func TestMain(m *testing.M) {
	if arg := os.Getenv(customersChild); arg != "" {
		if err := runCustomers(arg); err != nil {
			fmt.Fprintln(os.Stderr, "customers:", err)
			os.Exit(1)
		}
		return
	}
	if os.Getenv(emulatorChild) != "" {
		srv := participanttest.NewServer(participanttest.WithRequestHistory(0))
		fmt.Println(srv.URL)
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		srv.Close()
		return
	}
	goleak.VerifyTestMain(m)
}
