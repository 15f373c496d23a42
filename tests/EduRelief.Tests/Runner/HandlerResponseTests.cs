using System.Text.Json;
using System.Text.Json.Nodes;
using EduRelief.Runner;
using Xunit;

namespace EduRelief.Tests.Runner;

public class HandlerResponseTests
{
    [Fact]
    public void Parse_FullResponse_ReadsOutputsLogsAndReturnValue()
    {
        var response = HandlerResponse.Parse("""{"Outputs":{"next":"a"},"Logs":["one","two"],"ReturnValue":{"ok":true}}""");

        Assert.Equal("a", response.Outputs["next"]!.GetValue<string>());
        Assert.Equal(["one", "two"], response.Logs);
        Assert.True(response.ReturnValue!["ok"]!.GetValue<bool>());
    }

    [Fact]
    public void Parse_LowerCaseNames_AreMatchedLikeTheHost()
    {
        var response = HandlerResponse.Parse("""{"outputs":{"Next":1},"logs":["x"]}""");

        Assert.True(response.Outputs.ContainsKey("next"));
        Assert.Equal(["x"], response.Logs);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{}")]
    public void Parse_EmptyAnswer_HasNothing(string body)
    {
        var response = HandlerResponse.Parse(body);

        Assert.Empty(response.Outputs);
        Assert.Empty(response.Logs);
        Assert.Null(response.ReturnValue);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("not json")]
    public void Parse_NotAnObject_Throws(string body)
    {
        Assert.ThrowsAny<JsonException>(() => HandlerResponse.Parse(body));
    }

    [Fact]
    public void QueueMessages_String_IsSentAsIs()
    {
        Assert.Equal(["{\"a\":1}"], HandlerResponse.QueueMessages(JsonValue.Create("{\"a\":1}")));
    }

    [Fact]
    public void QueueMessages_Object_IsSentAsJsonText()
    {
        Assert.Equal(["""{"name":"张三"}"""], HandlerResponse.QueueMessages(JsonNode.Parse("""{"name":"张三"}""")));
    }

    [Fact]
    public void QueueMessages_Array_IsOneMessagePerElement()
    {
        Assert.Equal(["a", """{"b":2}""", "3"], HandlerResponse.QueueMessages(JsonNode.Parse("""["a", {"b":2}, 3, null]""")));
    }

    [Fact]
    public void QueueMessages_Null_IsNothing()
    {
        Assert.Empty(HandlerResponse.QueueMessages(null));
    }
}
