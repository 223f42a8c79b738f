package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// startChatContact calls Amazon Connect's StartChatContact (PUT /contact/chat)
// on a local service: what a backend does to start a chat for a customer.
// The real operation needs SigV4 credentials; the local service ignores them,
// so this plain request is enough there.
func startChatContact(ctx context.Context, endpoint, displayName, initialMessage string) (*startChatOutput, error) {
	in := map[string]any{
		"InstanceId":         "local-instance",
		"ContactFlowId":      "local-contact-flow",
		"ParticipantDetails": map[string]string{"DisplayName": displayName},
	}
	if initialMessage != "" {
		in["InitialMessage"] = map[string]string{"ContentType": "text/plain", "Content": initialMessage}
	}
	// Plain http anywhere is fine here: the request carries no token.
	if err := checkEndpoint(endpoint, true); err != nil {
		return nil, err
	}
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, strings.TrimRight(endpoint, "/")+"/contact/chat", bytes.NewReader(body))
	if err != nil {
		return nil, usagef("--endpoint: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("StartChatContact: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("StartChatContact: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("StartChatContact: status %d %s: %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), bytes.TrimSpace(b))
	}
	var out startChatOutput
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("StartChatContact: %w", err)
	}
	return &out, nil
}
