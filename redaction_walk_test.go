package participant_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/connectchat/participant"
)

// walkTypes holds one value of every exported type of the package. The test
// fails when the package declares a type this map lacks, so a new type is
// walked too.
var walkTypes = map[string]any{
	"AccessDeniedError": participant.AccessDeniedError{}, "ArtifactStatus": participant.ArtifactStatus(""),
	"AttachmentItem": participant.AttachmentItem{}, "Attendee": participant.Attendee{},
	"AudioFeatures":                         participant.AudioFeatures{},
	"CancelParticipantAuthenticationInput":  participant.CancelParticipantAuthenticationInput{},
	"CancelParticipantAuthenticationOutput": participant.CancelParticipantAuthenticationOutput{},
	"ChatItemType":                          participant.ChatItemType(""), "Client": participant.Client{},
	"CompleteAttachmentUploadInput":  participant.CompleteAttachmentUploadInput{},
	"CompleteAttachmentUploadOutput": participant.CompleteAttachmentUploadOutput{},
	"ConflictError":                  participant.ConflictError{}, "ConnectionCredentials": participant.ConnectionCredentials{},
	"ConnectionData": participant.ConnectionData{}, "ConnectionType": participant.ConnectionType(""),
	"ContentType":                       participant.ContentType(""),
	"CreateParticipantConnectionInput":  participant.CreateParticipantConnectionInput{},
	"CreateParticipantConnectionOutput": participant.CreateParticipantConnectionOutput{},
	"DescribeViewInput":                 participant.DescribeViewInput{}, "DescribeViewOutput": participant.DescribeViewOutput{},
	"DisconnectParticipantInput":  participant.DisconnectParticipantInput{},
	"DisconnectParticipantOutput": participant.DisconnectParticipantOutput{},
	"DownloadAttachmentOutput":    participant.DownloadAttachmentOutput{},
	"GetAttachmentInput":          participant.GetAttachmentInput{}, "GetAttachmentOutput": participant.GetAttachmentOutput{},
	"GetAuthenticationUrlInput":  participant.GetAuthenticationUrlInput{},
	"GetAuthenticationUrlOutput": participant.GetAuthenticationUrlOutput{},
	"GetTranscriptInput":         participant.GetTranscriptInput{}, "GetTranscriptOutput": participant.GetTranscriptOutput{},
	"HTTPClient": (*participant.HTTPClient)(nil), "InternalServerError": participant.InternalServerError{},
	"Item": participant.Item{}, "MediaPlacement": participant.MediaPlacement{}, "Meeting": participant.Meeting{},
	"MeetingFeaturesConfiguration": participant.MeetingFeaturesConfiguration{},
	"MessageMetadata":              participant.MessageMetadata{}, "MessageProcessingMetadata": participant.MessageProcessingMetadata{},
	"MessageProcessingStatus": participant.MessageProcessingStatus(""), "Options": participant.Options{},
	"ParticipantRole": participant.ParticipantRole(""), "Receipt": participant.Receipt{},
	"ResourceNotFoundError": participant.ResourceNotFoundError{},
	"ResponseError":         participant.ResponseError{}, "ScanDirection": participant.ScanDirection(""),
	"SendEventInput": participant.SendEventInput{}, "SendEventOutput": participant.SendEventOutput{},
	"SendMessageInput": participant.SendMessageInput{}, "SendMessageOutput": participant.SendMessageOutput{},
	"ServiceQuotaExceededError": participant.ServiceQuotaExceededError{}, "SortOrder": participant.SortOrder(""),
	"StartAttachmentUploadInput":  participant.StartAttachmentUploadInput{},
	"StartAttachmentUploadOutput": participant.StartAttachmentUploadOutput{},
	"StartPosition":               participant.StartPosition{}, "ThrottlingError": participant.ThrottlingError{},
	"Time": participant.Time{}, "Token": participant.Token(""),
	"UploadAttachmentInput": participant.UploadAttachmentInput{}, "UploadMetadata": participant.UploadMetadata{},
	"ValidationError": participant.ValidationError{}, "View": participant.View{}, "ViewContent": participant.ViewContent{},
	"Websocket": participant.Websocket{},
}

// walkSecret is what every Token and the query of every presigned URL of
// the walked values hold.
const walkSecret = "SECRET-WALK-5d1e"

// presigned lists the URL fields whose query is a secret: the WebSocket's
// (it carries a token) and the attachments' (signatures).
var presigned = map[string]bool{"Websocket.URL": true, "UploadMetadata.URL": true, "GetAttachmentOutput.URL": true}

// fill sets every exported field of v, following pointers, slices and maps:
// Tokens to walkSecret, presigned URLs to a URL whose query is walkSecret,
// other strings to "x".
func fill(v reflect.Value, name string, depth int) {
	if depth > 6 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		switch {
		case v.Type() == reflect.TypeFor[participant.Token]():
			v.SetString(walkSecret)
		case presigned[name]:
			v.SetString("wss://example.invalid/p?X-Amz-Signature=" + walkSecret)
		default:
			v.SetString("x")
		}
	case reflect.Pointer:
		if v.Type().Elem().Kind() == reflect.Struct && v.CanSet() {
			p := reflect.New(v.Type().Elem())
			fill(p.Elem(), name, depth+1)
			v.Set(p)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[participant.Time]() {
			v.Set(reflect.ValueOf(participant.Time{Time: time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)}))
			return
		}
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				fill(v.Field(i), v.Type().Name()+"."+f.Name, depth+1)
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), name, depth+1)
		v.Set(s)
	case reflect.Map:
		if v.Type().Key().Kind() == reflect.String && v.Type().Elem().Kind() == reflect.String {
			v.Set(reflect.ValueOf(map[string]string{"X-Amz-Meta": "x"}).Convert(v.Type()))
		}
	}
}

// exportedTypes parses the package's sources and lists its exported types.
func exportedTypes(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	var names []string
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok {
				for _, s := range g.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.IsExported() {
						names = append(names, ts.Name.Name)
					}
				}
			}
		}
	}
	return names
}

// TestRedactEveryType prints a filled value of every exported type, and a
// pointer to it, with every verb, and logs it through slog's text and JSON
// handlers: no token, and no URL query, shows.
func TestRedactEveryType(t *testing.T) {
	t.Parallel()
	types := exportedTypes(t)
	require.NotEmpty(t, types)
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s", "%-20q", "% x", "%#x", "%U", "%t", "%e"}
	for _, name := range types {
		zero, ok := walkTypes[name]
		require.True(t, ok, "exported type %s is missing from walkTypes", name)
		rt := reflect.TypeOf(zero)
		if rt.Kind() == reflect.Pointer && rt.Elem().Kind() == reflect.Interface {
			continue // an interface: no value of its own
		}
		pv := reflect.New(rt)
		if name == "Client" {
			pv = reflect.ValueOf(participant.New(participant.Options{Region: "us-east-1", AppID: walkSecret[:4]}))
		} else {
			fill(pv.Elem(), name, 0)
		}
		for _, v := range []any{pv.Interface(), pv.Elem().Interface()} {
			for _, verb := range verbs {
				out := fmt.Sprintf(verb, v)
				assert.NotContains(t, out, walkSecret, "Sprintf(%q, %s)", verb, name)
				assert.NotContains(t, out, fmt.Sprintf("%x", walkSecret), "Sprintf(%q, %s)", verb, name)
			}
			for _, h := range []func(io.Writer) slog.Handler{
				func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) },
				func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) },
			} {
				var buf bytes.Buffer
				slog.New(h(&buf)).Info("walk", "v", v)
				if name == "Options" || name == "Client" {
					continue // hold no token
				}
				assert.NotContains(t, buf.String(), walkSecret, "slog of %s", name)
			}
		}
	}
}
