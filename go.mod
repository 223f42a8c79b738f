module github.com/connectchat/participant

go 1.26.0

require (
	github.com/aws/aws-sdk-go-v2 v1.48.0
	github.com/aws/smithy-go v1.28.9
	github.com/coder/websocket v1.8.15
	github.com/google/uuid v1.6.0
	go.uber.org/goleak v1.3.0
	golang.org/x/term v0.48.0
)

require golang.org/x/sys v0.50.0 // indirect

require (
	github.com/stretchr/testify v1.12.1
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
