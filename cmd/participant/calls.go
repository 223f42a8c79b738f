package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/connectchat/participant"
	"github.com/connectchat/participant/internal/redact"
	"github.com/connectchat/participant/internal/wire"
)

// clientFlags are the flags every one-shot call shares.
type clientFlags struct {
	region        string
	endpoint      string
	allowInsecure bool
	retries       int
	debug         bool
}

func (cf *clientFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&cf.region, "region", "", "AWS region of the Amazon Connect instance, such as us-east-1 (or AWS_REGION, AWS_DEFAULT_REGION)")
	fs.StringVar(&cf.endpoint, "endpoint", "", "base URL of the service, such as http://127.0.0.1:8480 for 'participant local'")
	fs.BoolVar(&cf.allowInsecure, "allow-insecure", false, "allow a plain http --endpoint that is not a loopback address (tokens then cross the network unencrypted)")
	fs.IntVar(&cf.retries, "max-attempts", 0, "attempts per call, the first included (default 3)")
	fs.BoolVar(&cf.debug, "debug", false, "log each attempt to stderr (never tokens or bodies)")
}

func (cf *clientFlags) client(e *env) (*participant.Client, error) {
	if err := checkEndpoint(cf.endpoint, cf.allowInsecure); err != nil {
		return nil, err
	}
	o := participant.Options{
		Region:                cf.region,
		BaseEndpoint:          cf.endpoint,
		AllowInsecureEndpoint: cf.allowInsecure,
		RetryMaxAttempts:      cf.retries,
		AppID:                 "participant-cli",
	}
	// AWS_REGION is what the SDKs and aws CLI v2 read; aws CLI v1 reads
	// only AWS_DEFAULT_REGION (v2 reads it too, after AWS_REGION).
	for _, v := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if o.Region == "" {
			o.Region = e.getenv(v)
		}
	}
	if o.Region == "" && o.BaseEndpoint == "" {
		return nil, usagef("set --region (or AWS_REGION) for the real service, or --endpoint for a local one")
	}
	if cf.debug {
		o.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return participant.New(o), nil
}

// checkEndpoint checks an --endpoint before any call, with errors that say
// the fix in the tool's own flags: a URL without a scheme, and plain http
// to a host that is not loopback without --allow-insecure. Empty is fine
// (no endpoint given).
func checkEndpoint(endpoint string, allowInsecure bool) error {
	if endpoint == "" {
		return nil
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return usagef("--endpoint %q is not a URL with a scheme: use --endpoint http://%s", endpoint, strings.TrimPrefix(strings.TrimPrefix(endpoint, "//"), "/"))
	}
	if u.Scheme == "http" && !allowInsecure && !wire.IsLoopback(u.Hostname()) {
		return usagef("--endpoint %s is plain http to a host that is not loopback: tokens would cross the network unencrypted; use https, or add --allow-insecure to send them anyway", u.Redacted())
	}
	return nil
}

// connect returns the client and the token of a call: the two things every
// one-shot command needs after its flags are parsed.
func (cf *clientFlags) connect(e *env, tok *tokenFlag) (*participant.Client, participant.Token, error) {
	c, err := cf.client(e)
	if err != nil {
		return nil, "", err
	}
	t, err := tok.get(e)
	if err != nil {
		return nil, "", err
	}
	return c, t, nil
}

// tokenFlag reads a token from its flag or, when the flag is empty, from an
// environment variable.
type tokenFlag struct {
	value  string
	envVar string
	flag   string
}

func (t *tokenFlag) add(fs *flag.FlagSet, name, envVar, usage string) {
	t.envVar, t.flag = envVar, name
	fs.StringVar(&t.value, name, "", usage+" (or "+envVar+")")
}

func (t *tokenFlag) get(e *env) (participant.Token, error) {
	v := t.value
	if v == "" {
		v = e.getenv(t.envVar)
	}
	if v == "" {
		return "", usagef("no token: set --%s or %s", t.flag, t.envVar)
	}
	return participant.Token(v), nil
}

// newFlags makes a command's flag set, with its help text and examples.
func newFlags(e *env, name, synopsis, examples string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: participant %s [flags]\n\n%s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
		if examples != "" {
			fmt.Fprintf(w, "\nExamples:\n%s\n", examples)
		}
	}
	return fs
}

// parse parses args; -h prints the help to stdout and returns errHelp. A
// bad flag is returned as a usage error, printed once by report (the flag
// package's own printing is silenced).
func parse(e *env, fs *flag.FlagSet, args []string) error {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return errHelp
		}
	}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(e.stderr)
	if err != nil {
		return usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// printJSON writes v to stdout as indented JSON: what every command prints
// goes through here. Member names are the service's (the root package's
// types carry them as json tags), as the aws CLI prints them, and &, < and >
// stay as they are (no API type has a MarshalJSON of its own that would
// escape them; participant.Time writes only digits and punctuation).
func printJSON(e *env, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := e.stdout.Write(buf.Bytes())
	return err
}

func init() {
	register(command{"create-connection", "CreateParticipantConnection: get a ConnectionToken and a WebSocket URL", runCreateConnection})
	register(command{"send-event", "SendEvent: typing, read or delivered receipts", runSendEvent})
	register(command{"send-message", "SendMessage: send a chat message", runSendMessage})
	register(command{"get-transcript", "GetTranscript: read the chat's items", runGetTranscript})
	register(command{"disconnect", "DisconnectParticipant: leave the chat", runDisconnect})
	register(command{"upload-attachment", "Start, upload and complete an attachment", runUploadAttachment})
	register(command{"download-attachment", "GetAttachment and download the file", runDownloadAttachment})
}

func runCreateConnection(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "create-connection",
		"Calls CreateParticipantConnection with the participant's ParticipantToken and prints the result.\n"+
			"The new ConnectionToken is shown only with --reveal-token.",
		"  PARTICIPANT_TOKEN=... participant create-connection --endpoint http://127.0.0.1:8480 --reveal-token\n"+
			"  participant create-connection --region us-east-1 --types WEBSOCKET")
	var cf clientFlags
	var tok tokenFlag
	cf.add(fs)
	tok.add(fs, "participant-token", "PARTICIPANT_TOKEN", "the ParticipantToken from StartChatContact or CreateParticipant")
	types := fs.String("types", "WEBSOCKET,CONNECTION_CREDENTIALS", "connection types, comma separated")
	connect := fs.Bool("connect-participant", true, "mark the participant as connected")
	reveal := fs.Bool("reveal-token", false, "print the new ConnectionToken (it is a secret)")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	c, pt, err := cf.connect(e, &tok)
	if err != nil {
		return err
	}
	in := &participant.CreateParticipantConnectionInput{ParticipantToken: pt, ConnectParticipant: *connect}
	for _, t := range strings.Split(*types, ",") {
		if t = strings.TrimSpace(t); t != "" {
			in.Type = append(in.Type, participant.ConnectionType(strings.ToUpper(t)))
		}
	}
	out, err := c.CreateParticipantConnection(ctx, in)
	if err != nil {
		return err
	}
	if out.ConnectionCredentials != nil && !*reveal {
		cc := *out.ConnectionCredentials
		cc.ConnectionToken = redact.Placeholder
		out.ConnectionCredentials = &cc
	}
	if out.Websocket != nil && !*reveal {
		// The URL's query authenticates the socket: a secret too.
		ws := *out.Websocket
		if i := strings.IndexByte(ws.URL, '?'); i >= 0 {
			ws.URL = ws.URL[:i] + "?REDACTED"
		}
		out.Websocket = &ws
	}
	return printJSON(e, out)
}

func runSendEvent(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "send-event", "Calls SendEvent and prints the event's id and time.",
		"  participant send-event --endpoint http://127.0.0.1:8480                # typing\n"+
			"  participant send-event --read MESSAGE_ID --region us-east-1\n"+
			"  participant send-event --content-type application/vnd.amazonaws.connect.event.message.delivered --content '{\"messageId\":\"m1\"}'")
	var cf clientFlags
	var tok tokenFlag
	cf.add(fs)
	tok.add(fs, "connection-token", "CONNECTION_TOKEN", "the ConnectionToken from create-connection")
	contentType := fs.String("content-type", string(participant.ContentTypeTyping), "the event's content type")
	content := fs.String("content", "", "the event's content")
	read := fs.String("read", "", "send a read receipt for this message id")
	delivered := fs.String("delivered", "", "send a delivered receipt for this message id")
	clientToken := fs.String("client-token", "", "idempotency token (default: a new UUID)")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	in := &participant.SendEventInput{ContentType: participant.ContentType(*contentType), Content: *content, ClientToken: *clientToken}
	switch {
	case *read != "" && *delivered != "":
		return usagef("--read and --delivered exclude each other")
	case *read != "":
		in.ContentType, in.Content = participant.ContentTypeMessageRead, wire.ReceiptContent(*read)
	case *delivered != "":
		in.ContentType, in.Content = participant.ContentTypeMessageDelivered, wire.ReceiptContent(*delivered)
	}
	c, t, err := cf.connect(e, &tok)
	if err != nil {
		return err
	}
	in.ConnectionToken = t
	out, err := c.SendEvent(ctx, in)
	if err != nil {
		return err
	}
	return printJSON(e, out)
}

func runSendMessage(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "send-message", "Calls SendMessage and prints the message's id and time.",
		"  participant send-message --endpoint http://127.0.0.1:8480 --text 'Hello'\n"+
			"  echo 'Hello from a pipe' | participant send-message --endpoint http://127.0.0.1:8480\n"+
			"  participant send-message --region us-east-1 --content-type text/markdown --text '**bold**'   # if the chat allows markdown")
	var cf clientFlags
	var tok tokenFlag
	cf.add(fs)
	tok.add(fs, "connection-token", "CONNECTION_TOKEN", "the ConnectionToken from create-connection")
	text := fs.String("text", "", "the message; read from stdin when empty")
	contentType := fs.String("content-type", string(participant.ContentTypePlainText), "the message's content type")
	clientToken := fs.String("client-token", "", "idempotency token (default: a new UUID); reuse it to retry a send safely")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	content := *text
	if content == "" {
		b, err := io.ReadAll(io.LimitReader(e.stdin, 1<<20))
		if err != nil {
			return err
		}
		content = strings.TrimRight(string(b), "\n")
	}
	c, t, err := cf.connect(e, &tok)
	if err != nil {
		return err
	}
	in := &participant.SendMessageInput{ConnectionToken: t, ContentType: participant.ContentType(*contentType), Content: content, ClientToken: *clientToken}
	out, err := c.SendMessage(ctx, in)
	if err != nil {
		return err
	}
	return printJSON(e, out)
}

func runGetTranscript(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "get-transcript", "Calls GetTranscript and prints the page, or with --all every page's items.",
		"  participant get-transcript --endpoint http://127.0.0.1:8480 --all --sort-order ASCENDING\n"+
			"  participant get-transcript --region us-east-1 --scan-direction FORWARD --start-id ITEM_ID")
	var cf clientFlags
	var tok tokenFlag
	cf.add(fs)
	tok.add(fs, "connection-token", "CONNECTION_TOKEN", "the ConnectionToken from create-connection")
	every := fs.Bool("all", false, "follow NextToken to the end and print every item")
	maxResults := fs.Int("max-results", 0, "items per page, 1 to 100 (default: the service's 10)")
	nextToken := fs.String("next-token", "", "continue from this page token")
	scan := fs.String("scan-direction", "", "FORWARD or BACKWARD")
	sortOrder := fs.String("sort-order", "", "ASCENDING or DESCENDING")
	startID := fs.String("start-id", "", "start at this item id")
	startTime := fs.String("start-time", "", "start at this time (RFC 3339)")
	mostRecent := fs.Int("most-recent", 0, "start this many items back from the most recent")
	contactID := fs.String("contact-id", "", "a past contact of a persistent chat")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	in := &participant.GetTranscriptInput{
		ContactID:     *contactID,
		MaxResults:    int32(*maxResults),
		NextToken:     *nextToken,
		ScanDirection: participant.ScanDirection(strings.ToUpper(*scan)),
		SortOrder:     participant.SortOrder(strings.ToUpper(*sortOrder)),
	}
	if *startID != "" || *startTime != "" || *mostRecent != 0 {
		sp := &participant.StartPosition{ID: *startID, MostRecent: int32(*mostRecent)}
		if *startTime != "" {
			t, err := time.Parse(time.RFC3339Nano, *startTime)
			if err != nil {
				return usagef("--start-time: %v", err)
			}
			sp.AbsoluteTime = participant.Time{Time: t}
		}
		in.StartPosition = sp
	}
	c, t, err := cf.connect(e, &tok)
	if err != nil {
		return err
	}
	in.ConnectionToken = t
	if !*every {
		out, err := c.GetTranscript(ctx, in)
		if err != nil {
			return err
		}
		return printJSON(e, out)
	}
	// The first page gives InitialContactId; the iterator reads the rest.
	// The result is what the aws CLI prints when it follows the pages.
	first, err := c.GetTranscript(ctx, in)
	if err != nil {
		return err
	}
	all := transcriptPages{InitialContactID: first.InitialContactID, Transcript: append([]participant.Item{}, first.Transcript...)}
	if first.NextToken != "" {
		next := *in
		next.NextToken = first.NextToken
		for it, err := range c.Transcript(ctx, &next) {
			if err != nil {
				return err
			}
			all.Transcript = append(all.Transcript, it)
		}
	}
	return printJSON(e, all)
}

// transcriptPages is what get-transcript --all prints: every page's items
// in one document, in the service's member names.
type transcriptPages struct {
	InitialContactID string             `json:"InitialContactId,omitempty"`
	Transcript       []participant.Item `json:"Transcript"`
}

func runDisconnect(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "disconnect", "Calls DisconnectParticipant: the participant leaves the chat.",
		"  participant disconnect --endpoint http://127.0.0.1:8480")
	var cf clientFlags
	var tok tokenFlag
	cf.add(fs)
	tok.add(fs, "connection-token", "CONNECTION_TOKEN", "the ConnectionToken from create-connection")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	c, t, err := cf.connect(e, &tok)
	if err != nil {
		return err
	}
	out, err := c.DisconnectParticipant(ctx, &participant.DisconnectParticipantInput{ConnectionToken: t})
	if err != nil {
		return err
	}
	return printJSON(e, out)
}

func runUploadAttachment(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "upload-attachment", "Uploads a file as an attachment and prints its id.",
		"  participant upload-attachment --endpoint http://127.0.0.1:8480 --file receipt.pdf")
	var cf clientFlags
	var tok tokenFlag
	cf.add(fs)
	tok.add(fs, "connection-token", "CONNECTION_TOKEN", "the ConnectionToken from create-connection")
	file := fs.String("file", "", "the file to upload (required)")
	name := fs.String("name", "", "the attachment's name (default: the file's)")
	contentType := fs.String("content-type", "", "the file's MIME type (default: from its extension)")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if *file == "" {
		return usagef("--file is required")
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if *name == "" {
		*name = filepath.Base(*file)
	}
	if *contentType == "" {
		*contentType = mime.TypeByExtension(filepath.Ext(*file))
		if i := strings.IndexByte(*contentType, ';'); i >= 0 {
			*contentType = (*contentType)[:i]
		}
		if *contentType == "" {
			return usagef("cannot tell the MIME type of %s: set --content-type", *file)
		}
	}
	c, t, err := cf.connect(e, &tok)
	if err != nil {
		return err
	}
	id, err := c.UploadAttachment(ctx, &participant.UploadAttachmentInput{ConnectionToken: t, AttachmentName: *name, ContentType: *contentType, AttachmentSizeInBytes: st.Size(), Body: f})
	if err != nil {
		return err
	}
	return printJSON(e, uploadedAttachment{AttachmentID: id, AttachmentName: *name, ContentType: *contentType, AttachmentSizeInBytes: st.Size()})
}

// uploadedAttachment is what upload-attachment prints, in the service's
// member names (those of an attachment item and StartAttachmentUpload).
type uploadedAttachment struct {
	AttachmentID          string `json:"AttachmentId"`
	AttachmentName        string `json:"AttachmentName"`
	ContentType           string `json:"ContentType"`
	AttachmentSizeInBytes int64  `json:"AttachmentSizeInBytes"`
}

// downloadedAttachment is what download-attachment prints: the file written
// and the attachment's metadata, in the service's member names.
type downloadedAttachment struct {
	AttachmentID          string `json:"AttachmentId"`
	File                  string `json:"File"`
	ContentType           string `json:"ContentType"`
	AttachmentSizeInBytes int64  `json:"AttachmentSizeInBytes"`
}

func runDownloadAttachment(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "download-attachment", "Downloads an attachment to a file and prints its metadata.",
		"  participant download-attachment --endpoint http://127.0.0.1:8480 --attachment-id ID --output receipt.pdf")
	var cf clientFlags
	var tok tokenFlag
	cf.add(fs)
	tok.add(fs, "connection-token", "CONNECTION_TOKEN", "the ConnectionToken from create-connection")
	id := fs.String("attachment-id", "", "the attachment's id (required)")
	output := fs.String("output", "", "the file to write (required)")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if *id == "" || *output == "" {
		return usagef("--attachment-id and --output are required")
	}
	c, t, err := cf.connect(e, &tok)
	if err != nil {
		return err
	}
	out, err := c.DownloadAttachment(ctx, t, *id)
	if err != nil {
		return err
	}
	defer out.Body.Close()
	f, err := os.Create(*output)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, out.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(*output)
		return fmt.Errorf("download failed, %s removed: %w", *output, err)
	}
	if n != out.AttachmentSizeInBytes && out.AttachmentSizeInBytes > 0 {
		return errors.New("download size differs from the attachment's size")
	}
	return printJSON(e, downloadedAttachment{AttachmentID: *id, File: *output, ContentType: out.ContentType, AttachmentSizeInBytes: n})
}
