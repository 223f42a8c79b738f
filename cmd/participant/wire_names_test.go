package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant/participanttest"
)

// keyPaths returns every member name of a JSON document as a path:
// "Websocket.Url", "Transcript[].Id"; and the string values of members
// named AbsoluteTime, Expiry or ConnectionExpiry, anywhere.
func keyPaths(v any, prefix string, paths map[string]bool, times map[string][]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			paths[p] = true
			if s, ok := x.(string); ok && slices.Contains([]string{"AbsoluteTime", "Expiry", "ConnectionExpiry"}, k) {
				times[p] = append(times[p], s)
			}
			keyPaths(x, p, paths, times)
		}
	case []any:
		for _, x := range v {
			keyPaths(x, prefix+"[]", paths, times)
		}
	}
}

// itemMembers are the members of a transcript item, as the service names
// them (GetTranscript's Item, plus InitialContactId of the WebSocket's).
var itemMembers = []string{"AbsoluteTime", "Attachments", "Attachments[].AttachmentId", "Attachments[].AttachmentName",
	"Attachments[].ContentType", "Attachments[].Status", "ContactId", "Content", "ContentType", "DisplayName", "Id",
	"InitialContactId", "MessageMetadata", "MessageMetadata.MessageId", "MessageMetadata.MessageProcessingStatus",
	"MessageMetadata.Receipts", "MessageMetadata.Receipts[].DeliveredTimestamp", "MessageMetadata.Receipts[].ReadTimestamp",
	"MessageMetadata.Receipts[].RecipientParticipantId", "ParticipantId", "ParticipantRole", "RelatedContactId", "Type"}

func prefixed(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}

// TestWireNames: every command prints the service's own member names, as
// the aws CLI prints them (Id, ContactId, Websocket.Url, no RequestID), and
// &, < and > unescaped.
func TestWireNames(t *testing.T) {
	t.Parallel()
	srv := participanttest.NewServer(participanttest.WithSeed(3), participanttest.WithAgent(func() participanttest.Agent {
		return participanttest.EchoAgent{DisplayName: "Echo", Delay: time.Millisecond}
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	file := filepath.Join(dir, "a&b.txt")
	require.NoError(t, os.WriteFile(file, []byte("note"), 0o600))

	// The customer's tokens come from the tool itself.
	r := runTool(t, nil, "", "start-chat", "--endpoint", srv.URL, "--display-name", "Ann <&>", "--reveal-token")
	require.Equal(t, 0, r.code, r.stderr)
	var sc startChatOutput
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &sc))
	r = runTool(t, map[string]string{"PARTICIPANT_TOKEN": sc.ParticipantToken}, "", "create-connection", "--endpoint", srv.URL, "--reveal-token")
	require.Equal(t, 0, r.code, r.stderr)
	var cc struct {
		ConnectionCredentials struct{ ConnectionToken string }
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &cc))
	vars := map[string]string{"PARTICIPANT_TOKEN": sc.ParticipantToken, "CONNECTION_TOKEN": cc.ConnectionCredentials.ConnectionToken}

	var attachmentID string
	steps := []struct {
		name     string
		args     func() []string
		required []string // member paths that must show
		allowed  []string // the others that may
		contains []string // text that must show as is
	}{
		{name: "start-chat", args: func() []string { return []string{"start-chat", "--display-name", "Bo"} },
			required: []string{"ContactId", "ParticipantId", "ParticipantToken"}, allowed: []string{"ContinuedFromContactId"}},
		{name: "create-connection", args: func() []string { return []string{"create-connection", "--reveal-token"} },
			required: []string{"Websocket", "Websocket.Url", "Websocket.ConnectionExpiry", "ConnectionCredentials",
				"ConnectionCredentials.ConnectionToken", "ConnectionCredentials.Expiry"},
			contains: []string{"&X-Amz-"}},
		{name: "send-message", args: func() []string { return []string{"send-message", "--text", "fish & chips <now>"} },
			required: []string{"Id", "AbsoluteTime"}, allowed: []string{"MessageMetadata", "MessageMetadata.MessageProcessingStatus"}},
		{name: "send-event", args: func() []string { return []string{"send-event"} },
			required: []string{"Id", "AbsoluteTime"}},
		{name: "upload-attachment", args: func() []string { return []string{"upload-attachment", "--file", file} },
			required: []string{"AttachmentId", "AttachmentName", "ContentType", "AttachmentSizeInBytes"}, contains: []string{`"a&b.txt"`}},
		{name: "download-attachment", args: func() []string {
			return []string{"download-attachment", "--attachment-id", attachmentID, "--output", filepath.Join(dir, "copy.txt")}
		}, required: []string{"AttachmentId", "File", "ContentType", "AttachmentSizeInBytes"}},
		{name: "get-transcript page", args: func() []string { return []string{"get-transcript", "--max-results", "3"} },
			required: []string{"InitialContactId", "NextToken", "Transcript", "Transcript[].Id", "Transcript[].Type", "Transcript[].AbsoluteTime"},
			allowed:  prefixed("Transcript[].", itemMembers)},
		{name: "get-transcript --all", args: func() []string { return []string{"get-transcript", "--all", "--max-results", "2"} },
			required: []string{"InitialContactId", "Transcript", "Transcript[].Id", "Transcript[].Type", "Transcript[].Content",
				"Transcript[].ParticipantId", "Transcript[].Attachments[].AttachmentId"},
			allowed:  prefixed("Transcript[].", itemMembers),
			contains: []string{`"fish & chips <now>"`, `"Ann <&>"`}},
		{name: "disconnect", args: func() []string { return []string{"disconnect"} }},
	}
	wireTime := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	for _, s := range steps {
		r := runTool(t, vars, "", append(s.args(), "--endpoint", srv.URL)...)
		require.Equal(t, 0, r.code, "%s: %s", s.name, r.stderr)
		var doc any
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc), "%s: %s", s.name, r.stdout)
		paths, times := map[string]bool{}, map[string][]string{}
		keyPaths(doc, "", paths, times)
		for _, p := range s.required {
			assert.True(t, paths[p], "%s: no %s in\n%s", s.name, p, r.stdout)
		}
		var unknown []string
		for p := range paths {
			if !slices.Contains(s.required, p) && !slices.Contains(s.allowed, p) {
				unknown = append(unknown, p)
			}
		}
		sort.Strings(unknown)
		assert.Empty(t, unknown, "%s: member names the service does not use:\n%s", s.name, r.stdout)
		for _, esc := range []string{`\u0026`, `\u003c`, `\u003e`} {
			assert.NotContains(t, r.stdout, esc, "%s: HTML escapes", s.name)
		}
		for _, want := range s.contains {
			assert.Contains(t, r.stdout, want, s.name)
		}
		for p, vs := range times {
			for _, v := range vs {
				if strings.HasPrefix(p, "Transcript[]") {
					assert.Regexp(t, wireTime, v, "%s: %s is not in the service's format", s.name, p)
				} else {
					_, err := time.Parse(time.RFC3339Nano, v)
					assert.NoError(t, err, "%s: %s", s.name, p)
				}
			}
		}
		if s.name == "upload-attachment" {
			var out uploadedAttachment
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
			attachmentID = out.AttachmentID
		}
	}
}
