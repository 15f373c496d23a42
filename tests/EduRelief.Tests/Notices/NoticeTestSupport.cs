using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Notices;

public static class NoticeTestSupport
{
    public const string HotlinePhone = "0373-7201234";
    public const string ObjectionAddress = "延津县文化路 12 号教育局学生资助管理中心";

    /// <summary>A county's hotline and address, which every notice prints and approval requires.</summary>
    public static async Task PutContactsAsync(HttpClient admin, string countyCode)
    {
        var (status, body) = await admin.SendJsonAsync(HttpMethod.Put, $"/api/counties/{countyCode}/contacts", new
        {
            bureauName = "延津县教育局",
            hotlinePhone = HotlinePhone,
            objectionAddress = ObjectionAddress,
            bureauEmail = "zizhu@yanjin.example.cn",
        });
        Assert.True(status == 200, $"contacts of {countyCode}: {status} {body}");
    }
}
