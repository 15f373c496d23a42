using EduRelief.Runner;
using Xunit;

namespace EduRelief.Tests.Runner;

public class AppAddressTests
{
    [Theory]
    [InlineData("http://0.0.0.0:5000", "http://127.0.0.1:5000/")]
    [InlineData("http://[::]:5000", "http://127.0.0.1:5000/")]
    [InlineData("http://localhost:7071", "http://127.0.0.1:7071/")]
    [InlineData("http://+:80", "http://127.0.0.1/")]
    [InlineData("http://*:8080", "http://127.0.0.1:8080/")]
    [InlineData("http://127.0.0.1:41234", "http://127.0.0.1:41234/")]
    [InlineData("http://[::1]:5000", "http://[::1]:5000/")]
    public void Pick_ListeningAddress_BecomesCallableAddress(string address, string expected)
    {
        Assert.Equal(new Uri(expected), AppAddress.Pick([address]));
    }

    [Fact]
    public void Pick_HttpsFirst_TakesTheFirstHttpAddress()
    {
        Assert.Equal(new Uri("http://127.0.0.1:5000/"), AppAddress.Pick(["https://localhost:5001", "http://localhost:5000"]));
    }

    [Fact]
    public void Pick_OnlyHttps_ReturnsNull()
    {
        Assert.Null(AppAddress.Pick(["https://localhost:5001"]));
    }
}
