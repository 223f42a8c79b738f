package participanttest

import (
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/connectchat/participant"
)

// Server is a local Amazon Connect Participant Service: the 11 Participant
// operations, the WebSocket they hand out, the Amazon Connect operations a
// backend uses to run a chat, upload and download URLs for attachments, and a
// stand-in for the customer authentication page.
//
// Make one with [NewServer] (serving on a loopback port at once) or
// [NewUnstartedServer] (configure, set Listener if you like, then
// [Server.Start] or [Server.StartInMemory], or mount [Server.Handler] in a
// server of your own).
// All of its state hangs off the Server; any number can run side by side.
// Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL of the server, such as http://127.0.0.1:41234 or,
	// for a server started with StartInMemory, http://participanttest.localhost.
	// It has no trailing slash. It is empty until the server starts; set it
	// yourself when you serve Handler from a server of your own.
	URL string

	// Listener, when set before Start, is where Start serves: `participant
	// local` sets it to serve on a chosen address. Start sets it otherwise.
	Listener net.Listener

	cfg     config
	handler http.Handler
	mem     *memListener
	memSrv  *http.Server
	netSrv  *http.Server
	memTr   *http.Transport
	netTr   *http.Transport
	ctx     context.Context // ends when Close starts
	cancel  context.CancelFunc
	tokKey  [32]byte // signs transcript NextTokens
	startMu sync.Mutex
	started bool
	inMem   bool

	mu          sync.Mutex
	closed      bool
	wg          sync.WaitGroup // handlers, socket writers, agents, serve loops
	ids         *rand.Rand     // contact, participant, item, attachment ids and tokens
	reqIDs      *rand.Rand     // request ids and socket ids
	faultRand   *rand.Rand
	contacts    map[string]*contact
	tokens      map[string]*token
	tickets     map[string]*wsTicket
	files       map[string]*attachment // by attachment id
	fileURLs    map[string]*fileURL    // by URL secret
	views       map[string]View
	auths       map[string]*authSession
	connectIdem *idemStore // Amazon Connect results by ClientToken and body
	sockets     map[*socket]struct{}
	active      int // contacts not ended
	faults      []*Fault
	refused     []string // why Inject refused faults, for CheckFaults
	console     consoleState
	history     history
}

// An Option configures a [Server].
type Option func(*config)

type config struct {
	clock           Clock
	seed            uint64
	seedSet         bool
	life            Lifetimes
	attachmentLimit int
	maxAttachment   int64
	attachmentTypes map[string]bool
	wsBase          string
	agents          []func() Agent
	logger          *slog.Logger
	history         int
	noConsole       bool
	historyBytes    int64
	timeouts        Timeouts
	maxChats        int
	contactEvents   *contactEvents // WithContactEvents, WithContactEventFunc (contactevents.go)
}

// Lifetimes sets how long the server's tokens and URLs live. A zero field
// keeps its default.
type Lifetimes struct {
	// ParticipantToken is how long a ParticipantToken works. The default,
	// zero, lets it work for as long as its participant is in the chat.
	ParticipantToken time.Duration
	// ConnectionToken is how long a ConnectionToken works: 24 hours by
	// default, whatever the chat's duration.
	ConnectionToken time.Duration
	// WebSocketURL is how long a WebSocket URL may be used to connect: 100
	// seconds by default. Each URL opens one socket only.
	WebSocketURL time.Duration
	// UploadURL is how long an attachment upload URL works: 5 minutes by
	// default.
	UploadURL time.Duration
	// DownloadURL is how long a GetAttachment URL works when the request sets
	// no UrlExpiryInSeconds: 5 minutes by default.
	DownloadURL time.Duration
	// Chat is the duration of a chat whose StartChatContact sets no
	// ChatDurationInMinutes: 25 hours by default. When it runs out the chat
	// ends with chat.ended.
	Chat time.Duration
	// Socket is the most a WebSocket connection lives; the server closes an
	// older one with status 1001 when it next hears from it. The default is 2
	// hours.
	Socket time.Duration
	// AuthenticationURL is how long after authentication.initiated
	// GetAuthenticationUrl may be called: 1 minute by default.
	AuthenticationURL time.Duration
}

func (l Lifetimes) withDefaults() Lifetimes {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&l.ConnectionToken, 24*time.Hour)
	def(&l.WebSocketURL, 100*time.Second)
	def(&l.UploadURL, 5*time.Minute)
	def(&l.DownloadURL, 5*time.Minute)
	def(&l.Chat, 25*time.Hour)
	def(&l.Socket, 2*time.Hour)
	def(&l.AuthenticationURL, time.Minute)
	if l.ParticipantToken < 0 {
		l.ParticipantToken = 0
	}
	return l
}

// WithClock makes the server read time from c instead of time.Now. Use a
// [ManualClock] to expire tokens without waiting.
func WithClock(c Clock) Option {
	return func(cf *config) {
		if c != nil {
			cf.clock = c
		}
	}
}

// WithSeed makes the server's ids, tokens, request ids and fault decisions
// a function of seed and of the order of requests, so a failing test can be
// replayed. Without it the seed is random; [Server.Seed] reports it.
func WithSeed(seed uint64) Option {
	return func(cf *config) { cf.seed, cf.seedSet = seed, true }
}

// WithLifetimes sets the lifetimes of tokens, URLs, chats and sockets. Zero
// fields keep their defaults.
func WithLifetimes(l Lifetimes) Option {
	return func(cf *config) { cf.life = l }
}

// WithAttachmentLimit sets how many attachment uploads one contact may start
// before StartAttachmentUpload answers ServiceQuotaExceededException (HTTP
// 402). The default is 100.
func WithAttachmentLimit(n int) Option {
	return func(cf *config) {
		if n > 0 {
			cf.attachmentLimit = n
		}
	}
}

// WithMaxAttachmentSize sets the largest AttachmentSizeInBytes
// StartAttachmentUpload accepts. The default is 20 MB (20971520 bytes).
func WithMaxAttachmentSize(n int64) Option {
	return func(cf *config) {
		if n > 0 {
			cf.maxAttachment = n
		}
	}
}

// WithAttachmentContentTypes replaces the MIME types StartAttachmentUpload
// accepts. The default is the list in the Amazon Connect administrator guide
// (csv, doc, docx, heic, jfif, jpeg, jpg, mov, mp4, pdf, png, ppt, pptx,
// rtf, txt, wav, xls, xlsx) plus text/markdown and application/json.
func WithAttachmentContentTypes(types ...string) Option {
	return func(cf *config) {
		cf.attachmentTypes = make(map[string]bool, len(types))
		for _, t := range types {
			cf.attachmentTypes[strings.ToLower(t)] = true
		}
	}
}

// WithWebSocketBaseURL fixes the scheme, host and optional path prefix of the
// WebSocket URLs CreateParticipantConnection returns, such as
// "wss://chat.example.test". By default they are derived from each request:
// ws:// (wss:// over TLS) and the request's Host, with "localhost" turned
// into 127.0.0.1 for connections that arrived over IPv4 loopback, because
// amazon-connect-chatjs accepts only wss:// and ws://127.0.0.1: URLs.
func WithWebSocketBaseURL(base string) Option {
	return func(cf *config) { cf.wsBase = strings.TrimRight(base, "/") }
}

// WithAgent makes the server add a scripted participant made by newAgent to
// every chat it starts, right after the customer joins (and after the
// initial message, if any). Give it several times for several agents.
// newAgent is called with the server's lock held and must not call the
// Server.
func WithAgent(newAgent func() Agent) Option {
	return func(cf *config) {
		if newAgent != nil {
			cf.agents = append(cf.agents, newAgent)
		}
	}
}

// WithLogger makes the server log each request at Debug level (operation,
// status, error code, request id; never tokens or bodies) and each socket at
// Debug level.
func WithLogger(l *slog.Logger) Option {
	return func(cf *config) { cf.logger = l }
}

// WithRequestHistory sets how many requests [Server.Requests] keeps, the
// oldest dropped first: 10000 by default. n <= 0 keeps none, as `participant
// local` does unless told otherwise. [WithRequestHistoryBytes] bounds the
// history's size too.
func WithRequestHistory(n int) Option {
	return func(cf *config) { cf.history = max(n, 0) }
}

// WithRequestHistoryBytes sets how many bytes of requests (bodies, headers
// and paths) [Server.Requests] keeps, the oldest dropped first: 16 MiB by
// default. n <= 0 keeps none.
func WithRequestHistoryBytes(n int64) Option {
	return func(cf *config) { cf.historyBytes = max(n, 0) }
}

// Timeouts bound how long a client may hold a connection of the server
// started with Start or StartInMemory, as the fields of http.Server of the
// same names do. A zero field keeps its default; a negative one turns that
// timeout off. They do not apply to WebSockets once open (but SocketWrite
// does), nor to a Handler served from a server of your own.
type Timeouts struct {
	// ReadHeader is how long a client may take to send a request's
	// headers: 10 seconds by default.
	ReadHeader time.Duration
	// Read is how long a client may take to send a whole request, body
	// included: 1 minute by default. A request whose body is not in by
	// then is answered with a 400 ValidationException, or cut.
	Read time.Duration
	// Write is how long the server may take from the end of a request's
	// headers to the end of its response, handling and any Latency fault
	// included: 2 minutes by default.
	Write time.Duration
	// Idle is how long a kept-alive connection may wait for its next
	// request: 2 minutes by default (longer than the 90 seconds after
	// which Go's and most clients' transports drop an idle connection).
	Idle time.Duration
	// SocketWrite is how long the server may take to write one frame to a
	// WebSocket, however it was served: 10 seconds by default. A client
	// that reads nothing for that long while a frame waits is cut. It
	// cannot be turned off: a negative value keeps the default.
	SocketWrite time.Duration
}

func (t Timeouts) withDefaults() Timeouts {
	def := func(d *time.Duration, v time.Duration) {
		switch {
		case *d == 0:
			*d = v
		case *d < 0:
			*d = 0
		}
	}
	def(&t.ReadHeader, 10*time.Second)
	def(&t.Read, time.Minute)
	def(&t.Write, 2*time.Minute)
	def(&t.Idle, 2*time.Minute)
	if t.SocketWrite <= 0 {
		t.SocketWrite = 10 * time.Second
	}
	return t
}

// WithTimeouts sets the server's connection timeouts. Zero fields keep
// their defaults.
func WithTimeouts(t Timeouts) Option {
	return func(cf *config) { cf.timeouts = t }
}

// DefaultMaxChats is the default cap on concurrent active chats of
// [WithMaxChats].
const DefaultMaxChats = 10000

// WithMaxChats caps the chats that may be active at once: past n,
// StartChatContact (and [Server.StartChat]) fails as Amazon Connect does
// when an instance's quota of concurrent active chats is reached, with
// LimitExceededException (HTTP 429). A chat that ends (StopContact, the
// customer leaving, its duration running out) frees its place. The default
// is [DefaultMaxChats]; n <= 0 removes the cap.
func WithMaxChats(n int) Option {
	return func(cf *config) { cf.maxChats = max(n, 0) }
}

// NewServer starts and returns a Server listening on a loopback port. The
// caller must Close it.
func NewServer(opts ...Option) *Server {
	s := NewUnstartedServer(opts...)
	s.Start()
	return s
}

// NewUnstartedServer returns a Server that is not yet serving. Start it with
// Start (on a loopback port, or on Listener when set) or StartInMemory, or
// mount its Handler in an HTTP server of your own; Close it in every case.
func NewUnstartedServer(opts ...Option) *Server {
	cf := config{
		clock:           systemClock{},
		attachmentLimit: 100,
		maxAttachment:   20 * 1024 * 1024,
		attachmentTypes: defaultAttachmentTypes(),
		history:         defaultHistory,
		historyBytes:    defaultHistoryBytes,
		maxChats:        DefaultMaxChats,
	}
	for _, o := range opts {
		if o != nil {
			o(&cf)
		}
	}
	if !cf.seedSet {
		var b [8]byte
		_, _ = crand.Read(b[:])
		cf.seed = binary.LittleEndian.Uint64(b[:])
	}
	cf.life = cf.life.withDefaults()
	cf.timeouts = cf.timeouts.withDefaults()
	s := &Server{
		cfg:         cf,
		ids:         rand.New(rand.NewPCG(cf.seed, 1)),
		reqIDs:      rand.New(rand.NewPCG(cf.seed, 2)),
		faultRand:   rand.New(rand.NewPCG(cf.seed, 3)),
		contacts:    map[string]*contact{},
		tokens:      map[string]*token{},
		tickets:     map[string]*wsTicket{},
		files:       map[string]*attachment{},
		fileURLs:    map[string]*fileURL{},
		views:       map[string]View{},
		auths:       map[string]*authSession{},
		connectIdem: newIdemStore(maxConnectRepeats),
		sockets:     map[*socket]struct{}{},
		mem:         newMemListener(),
		history:     history{max: cf.history, maxBytes: cf.historyBytes},
	}
	s.tokKey = sha256.Sum256(fmt.Appendf(nil, "participanttest next token %d", cf.seed))
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.handler = http.HandlerFunc(s.serveHTTP)
	s.memTr = &http.Transport{
		DialContext:         s.mem.dial,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}
	return s
}

// Seed returns the seed of the server's ids, tokens and fault decisions.
func (s *Server) Seed() uint64 { return s.cfg.seed }

// Handler returns the server's HTTP handler: every route of the service, the
// WebSocket, the attachment URLs, the authentication page and the agent
// console at "/" ([WithoutConsole] turns it off). Use it to serve
// the emulator from an http.Server of your own; Close still stops its
// sockets and agents.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) markStarted(inMem bool) {
	s.startMu.Lock()
	defer s.startMu.Unlock()
	if s.started {
		panic("participanttest: Server already started")
	}
	s.started, s.inMem = true, inMem
}

// Start makes the server serve on Listener, or, when Listener is nil, on
// a new loopback port (127.0.0.1, or [::1] when IPv4 is unavailable), and
// sets URL. It panics if the server has already started or no port can be
// had, as httptest does. An unspecified listener address such as 0.0.0.0
// appears in URL as 127.0.0.1.
func (s *Server) Start() {
	if s.Listener == nil {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			if l, err = net.Listen("tcp6", "[::1]:0"); err != nil {
				panic(fmt.Sprintf("participanttest: failed to listen on a loopback port: %v", err))
			}
		}
		s.Listener = l
	}
	s.markStarted(false)
	s.URL = "http://" + publicAddr(s.Listener.Addr())
	s.netTr = &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}
	s.serveOn(s.Listener)
}

// StartInMemory starts the server without any network listener: it is
// reachable only through [Server.Transport] (and so [Server.HTTPClient] and
// [Server.Client]), over net.Pipe connections. URL becomes
// http://participanttest.localhost. Use it inside a testing/synctest bubble,
// where goroutines blocked on real network I/O would stop fake time; create
// and Close the server inside the bubble.
func (s *Server) StartInMemory() {
	s.markStarted(true)
	s.URL = "http://participanttest.localhost"
}

// publicAddr turns a listener address into one a client can dial.
func publicAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	ip := tcp.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(tcp.Port))
}

func (s *Server) newHTTPServer() *http.Server {
	t := s.cfg.timeouts
	return &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
	}
}

// serveOn serves l in a goroutine that Close waits for.
func (s *Server) serveOn(l net.Listener) {
	srv := s.newHTTPServer()
	s.mu.Lock()
	s.netSrv = srv
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		_ = srv.Serve(l)
	}()
}

// startMem starts serving the in-memory listener, once.
func (s *Server) startMem() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.memSrv != nil || s.closed {
		return
	}
	s.memSrv = s.newHTTPServer()
	s.wg.Add(1)
	srv := s.memSrv
	go func() {
		defer s.wg.Done()
		_ = srv.Serve(s.mem)
	}()
}

// Transport returns an http.RoundTripper that reaches this server in memory,
// whatever host a request names, without touching the network. It works
// whether or not the server listens on a port, and inside testing/synctest.
// WebSocket dials through an *http.Client using it work too. Close closes
// its idle connections.
func (s *Server) Transport() http.RoundTripper {
	s.startMem()
	return s.memTr
}

// HTTPClient returns an *http.Client that reaches this server: over the
// network when it was started with Start, in memory when it
// was started with StartInMemory or not started at all. It does not follow
// redirects. Pass it as coder/websocket's DialOptions.HTTPClient to dial the
// server's WebSocket URLs.
func (s *Server) HTTPClient() *http.Client {
	var rt http.RoundTripper
	s.startMu.Lock()
	useNet := s.started && !s.inMem && s.netTr != nil
	s.startMu.Unlock()
	if useNet {
		rt = s.netTr
	} else {
		rt = s.Transport()
	}
	return &http.Client{
		Transport:     rt,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Client returns a *participant.Client configured for this server: its
// BaseEndpoint is URL and its HTTPClient is [Server.HTTPClient]. optFns
// adjust the options further, for example to set RetryMaxAttempts.
func (s *Server) Client(optFns ...func(*participant.Options)) *participant.Client {
	o := participant.Options{
		Region:       "us-east-1",
		BaseEndpoint: s.URL,
		HTTPClient:   s.HTTPClient(),
	}
	return participant.New(o, optFns...)
}

// Close stops the server: it stops listening, closes every WebSocket (with
// status 1001, then abruptly after a quarter of a second if the peer does
// not answer),
// stops the scripted agents, waits for every goroutine the server started and
// closes the idle connections of its transports. Close is idempotent.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.cancel()
	socks := make([]*socket, 0, len(s.sockets))
	for so := range s.sockets {
		socks = append(socks, so)
		s.enqueueClose(so, 1001, "Going away")
	}
	netSrv, memSrv := s.netSrv, s.memSrv
	s.mu.Unlock()

	if netSrv != nil {
		_ = netSrv.Close()
	}
	if memSrv != nil {
		_ = memSrv.Close()
	}
	_ = s.mem.Close()

	grace := time.NewTimer(closeGrace)
	for _, so := range socks {
		select {
		case <-so.done:
		case <-grace.C:
		}
	}
	grace.Stop()
	for _, so := range socks {
		so.kill()
	}
	s.wg.Wait()
	s.cfg.contactEvents.close() // contact events (contactevents.go)
	s.memTr.CloseIdleConnections()
	if s.netTr != nil {
		s.netTr.CloseIdleConnections()
	}
}

// closeGrace is how long Close waits for WebSocket peers to answer its
// close frame.
const closeGrace = 250 * time.Millisecond

// enter registers a handler goroutine; it reports false once Close has
// started.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

// now returns the server's time, in UTC and to the millisecond, as every
// time the service writes.
func (s *Server) now() time.Time {
	return s.cfg.clock.Now().UTC().Truncate(time.Millisecond)
}

// newID returns a UUID v4 made from the server's seeded generator. s.mu must
// be held.
func (s *Server) newID() string { return uuidFrom(s.ids) }

// uuidFrom returns a UUID v4 whose random bits come from r, so that a seeded
// server hands out the same ids on every run.
func uuidFrom(r *rand.Rand) string {
	return uuid.Must(uuid.NewRandomFromReader(randReader{r})).String()
}

// randReader reads the bytes of r's Uint64s, little-endian. It never fails.
type randReader struct{ r *rand.Rand }

func (rr randReader) Read(p []byte) (int, error) {
	for i := 0; i < len(p); i += 8 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], rr.r.Uint64())
		copy(p[i:], b[:])
	}
	return len(p), nil
}

// newSecret returns an opaque token of n random bytes, base64url. s.mu must
// be held.
func (s *Server) newSecret(n int) string {
	b := make([]byte, n)
	_, _ = randReader{s.ids}.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// newRequestID returns a request id. It uses its own generator so that
// request ids do not disturb the ids of chat state.
func (s *Server) newRequestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return uuidFrom(s.reqIDs)
}

func (s *Server) debug(msg string, args ...any) {
	if l := s.cfg.logger; l != nil {
		l.Debug(msg, args...)
	}
}
