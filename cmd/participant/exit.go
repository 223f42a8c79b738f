package main

import (
	"context"
	"errors"

	"github.com/aws/smithy-go"

	"github.com/connectchat/participant"
)

// Exit codes, one per kind of failure, so scripts can tell them apart.
const (
	exitOK                   = 0
	exitFailure              = 1 // anything not listed below
	exitUsage                = 2
	exitInvalidInput         = 3
	exitAccessDenied         = 4
	exitThrottled            = 5
	exitConflict             = 6
	exitNotFound             = 7
	exitQuotaExceeded        = 8
	exitServiceError         = 9
	exitNetwork              = 10
	exitCanceled             = 130
	exitValidationFromServer = 11
)

var exitCodes = []struct {
	code    int
	meaning string
}{
	{exitOK, "success"},
	{exitFailure, "other failure"},
	{exitUsage, "bad command line"},
	{exitInvalidInput, "input rejected before sending (model constraints)"},
	{exitAccessDenied, "AccessDeniedException: token invalid or expired, or chat ended"},
	{exitThrottled, "ThrottlingException (after retries)"},
	{exitConflict, "ConflictException"},
	{exitNotFound, "ResourceNotFoundException"},
	{exitQuotaExceeded, "ServiceQuotaExceededException"},
	{exitServiceError, "InternalServerException or another service error"},
	{exitNetwork, "network failure"},
	{exitValidationFromServer, "ValidationException from the service"},
	{exitCanceled, "interrupted"},
}

func kindName(code int) string {
	for _, x := range exitCodes {
		if x.code == code && code != exitOK && code != exitFailure {
			return x.meaning
		}
	}
	return ""
}

// exitCode maps an error to the exit code of its kind.
func exitCode(err error) int {
	var (
		ue       *usageError
		invalid  *smithy.InvalidParamsError
		denied   *participant.AccessDeniedError
		throttle *participant.ThrottlingError
		conflict *participant.ConflictError
		notFound *participant.ResourceNotFoundError
		quota    *participant.ServiceQuotaExceededError
		valid    *participant.ValidationError
		resp     *participant.ResponseError
		canceled *smithy.CanceledError
		conn     interface{ ConnectionError() bool }
	)
	switch {
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &invalid):
		return exitInvalidInput
	case errors.As(err, &canceled), errors.Is(err, context.Canceled):
		return exitCanceled
	case errors.As(err, &denied):
		return exitAccessDenied
	case errors.As(err, &throttle):
		return exitThrottled
	case errors.As(err, &conflict):
		return exitConflict
	case errors.As(err, &notFound):
		return exitNotFound
	case errors.As(err, &quota):
		return exitQuotaExceeded
	case errors.As(err, &valid):
		return exitValidationFromServer
	case errors.As(err, &resp):
		return exitServiceError
	case errors.As(err, &conn) && conn.ConnectionError():
		return exitNetwork
	}
	return exitFailure
}
