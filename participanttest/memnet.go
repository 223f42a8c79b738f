package participanttest

import (
	"context"
	"errors"
	"net"
	"sync"
)

// memListener is a net.Listener whose connections are net.Pipe pairs made by
// dial: the in-memory network behind [Server.Transport]. Nothing in it touches
// the operating system's network, so it works inside a testing/synctest
// bubble.
type memListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newMemListener() *memListener {
	return &memListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

var errMemClosed = errors.New("participanttest: in-memory listener closed")

// Accept waits for the next dial.
func (l *memListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops Accept and every later dial.
func (l *memListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr returns a placeholder address.
func (l *memListener) Addr() net.Addr { return memAddr{} }

// dial makes a connection to the listener. It is the DialContext of the
// in-memory transport: whatever address is asked for, the connection reaches
// this server.
func (l *memListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
	case <-ctx.Done():
	}
	client.Close()
	server.Close()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return nil, errMemClosed
}

// memAddr is the address of both ends of an in-memory connection.
type memAddr struct{}

func (memAddr) Network() string { return "memory" }
func (memAddr) String() string  { return "participanttest" }
