using System.Net;
using System.Text.Json.Nodes;
using EduRelief.Runner;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace EduRelief.Tests.Runner;

public class FunctionInvokerTests
{
    private static readonly JsonObject Payload = new() { ["Data"] = new JsonObject { ["message"] = "x" } };

    [Fact]
    public async Task InvokeAsync_Always_PostsJsonToFunctionPathWithInvocationToken()
    {
        var handler = new RecordingHandler(HttpStatusCode.OK, """{"Outputs":{},"Logs":["hi"]}""");
        using var http = new HttpClient(handler);

        var outcome = await Invoker(http).InvokeAsync("WorkflowSteps", Payload, CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal(200, outcome.StatusCode);
        Assert.Equal(["hi"], outcome.Response.Logs);
        Assert.Equal(HttpMethod.Post, handler.Method);
        Assert.Equal(new Uri("http://127.0.0.1:5000/WorkflowSteps"), handler.Uri);
        Assert.Equal("secret-token", handler.Token);
        Assert.Equal("application/json", handler.ContentType);
        Assert.Equal("x", JsonNode.Parse(handler.Body!)!["Data"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task InvokeAsync_ChineseMessageText_IsSentUnescaped()
    {
        var handler = new RecordingHandler(HttpStatusCode.OK, "");
        using var http = new HttpClient(handler);
        var payload = new JsonObject { ["Data"] = new JsonObject { ["message"] = "{\"name\":\"张三\"}" } };

        await Invoker(http).InvokeAsync("WorkflowSteps", payload, CancellationToken.None);

        Assert.Contains("张三", handler.Body, StringComparison.Ordinal);
        Assert.Equal("{\"name\":\"张三\"}", JsonNode.Parse(handler.Body!)!["Data"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task InvokeAsync_BaseUrlWithPath_KeepsThePath()
    {
        var handler = new RecordingHandler(HttpStatusCode.OK, "");
        using var http = new HttpClient(handler);

        await new FunctionInvoker(http, new Uri("http://127.0.0.1:5000/host"), "t", TimeSpan.FromSeconds(5), NullLogger.Instance)
            .InvokeAsync("WorkflowSweep", Payload, CancellationToken.None);

        Assert.Equal(new Uri("http://127.0.0.1:5000/host/WorkflowSweep"), handler.Uri);
    }

    [Fact]
    public async Task InvokeAsync_NonSuccessStatus_IsAFailure()
    {
        using var http = new HttpClient(new RecordingHandler(HttpStatusCode.InternalServerError, """{"Logs":["boom"]}"""));

        var outcome = await Invoker(http).InvokeAsync("WorkflowSteps", Payload, CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Equal(500, outcome.StatusCode);
        Assert.Contains("500", outcome.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_SuccessWithUnreadableBody_IsAFailure()
    {
        using var http = new HttpClient(new RecordingHandler(HttpStatusCode.OK, "<html>"));

        var outcome = await Invoker(http).InvokeAsync("WorkflowSteps", Payload, CancellationToken.None);

        Assert.False(outcome.Succeeded);
    }

    [Fact]
    public async Task InvokeAsync_AppNotListening_IsAFailureNotAnException()
    {
        using var http = new HttpClient(new ThrowingHandler());

        var outcome = await Invoker(http).InvokeAsync("WorkflowSteps", Payload, CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Null(outcome.StatusCode);
    }

    [Fact]
    public async Task InvokeAsync_SlowerThanFunctionTimeout_IsAFailure()
    {
        using var http = new HttpClient(new HangingHandler());
        var invoker = new FunctionInvoker(http, new Uri("http://127.0.0.1:5000"), "t", TimeSpan.FromMilliseconds(100), NullLogger.Instance);

        var outcome = await invoker.InvokeAsync("WorkflowSteps", Payload, CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Contains("timeout", outcome.Failure, StringComparison.Ordinal);
    }

    private static FunctionInvoker Invoker(HttpClient http) =>
        new(http, new Uri("http://127.0.0.1:5000"), "secret-token", TimeSpan.FromSeconds(5), NullLogger.Instance);

    private sealed class RecordingHandler(HttpStatusCode status, string answer) : HttpMessageHandler
    {
        public HttpMethod? Method { get; private set; }

        public Uri? Uri { get; private set; }

        public string? Token { get; private set; }

        public string? ContentType { get; private set; }

        public string? Body { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Method = request.Method;
            Uri = request.RequestUri;
            Token = request.Headers.TryGetValues(FunctionInvoker.TokenHeader, out var values) ? values.Single() : null;
            ContentType = request.Content?.Headers.ContentType?.MediaType;
            Body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            return new HttpResponseMessage(status) { Content = new StringContent(answer) };
        }
    }

    private sealed class ThrowingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new HttpRequestException("Connection refused");
    }

    private sealed class HangingHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }
}
