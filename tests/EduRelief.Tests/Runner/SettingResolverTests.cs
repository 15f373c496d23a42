using EduRelief.Runner;
using Xunit;

namespace EduRelief.Tests.Runner;

public class SettingResolverTests
{
    [Fact]
    public void Resolve_WholeToken_ReturnsSettingValue()
    {
        var config = TestConfig.From(("EDURELIEF_STEPS_QUEUE", "steps"));

        Assert.Equal("steps", SettingResolver.Resolve("%EDURELIEF_STEPS_QUEUE%", config, "WorkflowSteps", "queueName"));
    }

    [Fact]
    public void Resolve_TokenWithSuffix_KeepsLiteralText()
    {
        var config = TestConfig.From(("EDURELIEF_STEPS_QUEUE", "t1steps"));

        Assert.Equal("t1steps-poison", SettingResolver.Resolve("%EDURELIEF_STEPS_QUEUE%-poison", config, "WorkflowPoison", "queueName"));
    }

    [Fact]
    public void Resolve_SeveralTokens_ReplacesEach()
    {
        var config = TestConfig.From(("A", "x"), ("B", "y"));

        Assert.Equal("pre-x-mid-y", SettingResolver.Resolve("pre-%A%-mid-%B%", config, "F", "queueName"));
    }

    [Fact]
    public void Resolve_NoToken_ReturnsInputUnchanged()
    {
        Assert.Equal("0 */5 * * * *", SettingResolver.Resolve("0 */5 * * * *", TestConfig.From(), "F", "schedule"));
    }

    [Fact]
    public void Resolve_LonePercent_IsLiteral()
    {
        Assert.Equal("50%", SettingResolver.Resolve("50%", TestConfig.From(), "F", "queueName"));
    }

    [Fact]
    public void Resolve_DoubleUnderscoreName_FallsBackToColonKey()
    {
        // Environment variable EDURELIEF__QUEUE arrives in configuration as EDURELIEF:QUEUE.
        var config = TestConfig.From(("EDURELIEF:QUEUE", "nested"));

        Assert.Equal("nested", SettingResolver.Resolve("%EDURELIEF__QUEUE%", config, "F", "queueName"));
    }

    [Fact]
    public void Resolve_MissingSetting_ThrowsNamingFunctionAndSetting()
    {
        var error = Assert.Throws<FunctionConfigurationException>(
            () => SettingResolver.Resolve("%EDURELIEF_STEPS_QUEUE%-poison", TestConfig.From(), "WorkflowPoison", "queueName"));

        Assert.Contains("WorkflowPoison", error.Message, StringComparison.Ordinal);
        Assert.Contains("EDURELIEF_STEPS_QUEUE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_EmptySetting_IsTreatedAsMissing()
    {
        var config = TestConfig.From(("EDURELIEF_STEPS_QUEUE", ""));

        Assert.Throws<FunctionConfigurationException>(() => SettingResolver.Resolve("%EDURELIEF_STEPS_QUEUE%", config, "F", "queueName"));
    }
}
