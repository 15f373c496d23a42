using System.Text.Json.Nodes;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Rosters;
using EduRelief.Workflow;
using Xunit;

namespace EduRelief.Tests.Cycles;

/// <summary>
/// The cycle's typed state reads the instance data exactly as builds before it stored it, and writes it back the same:
/// cycles already running, and backups of them, keep loading.
/// </summary>
public sealed class CycleStateTests
{
    /// <summary>A version 3 cycle in rectification, with a close in progress, as the untyped code wrote it.</summary>
    private const string StoredRectification = """
        {
          "countyCode": "410726",
          "countyName": "延津县",
          "semester": "2026-autumn",
          "schoolYear": 2026,
          "noticeDays": 5,
          "rosters": {
            "students": {"kind":"students","importId":"9f2c","sha256":"aa11","size":20480,"rows":120,"format":"xlsx","fileName":"学籍名册.xlsx","uploadedBy":"admin:410726","uploadedAt":"2026-09-20T09:30:00+08:00"},
            "poverty": {"kind":"poverty","importId":"7b1d","sha256":"bb22","size":4096,"rows":30,"format":"csv","fileName":null,"uploadedBy":"admin:410726","uploadedAt":"2026-09-20T09:31:12+08:00"}
          },
          "verification": {
            "status":"completed","runId":"r7","students":120,"povertyPersons":30,"matched":28,"eligible":25,"pendingReview":0,"rejected":1,
            "discrepancies":{"name_mismatch":2,"not_enrolled":1},
            "programs":{"living":{"recipients":20,"amount":15000.00},"tuition":{"recipients":5,"amount":2500.50}},
            "totalAmount":17500.50,"policyVersion":"2026-v1","policyScope":"national",
            "schools":["4107260001","4107260002"],"completedAt":"2026-09-20T09:32:05+08:00"
          },
          "notice": {
            "publishedAt":"2026-09-30T10:00:00+08:00","endsAt":"2026-10-12T23:59:59+08:00","workingDays":5,"calendarMissing":false,"objectionsOpen":0,
            "documents":{"schools":2,"rows":40,"completedAt":"2026-09-30T10:01:00+08:00"},
            "takenDownAt":"2026-10-13T00:00:01+08:00"
          },
          "findings": {"items":3,"openedAt":"2026-09-30T10:00:02+08:00"},
          "disbursement": {"batches":[{"id":"living-001","program":"living","count":20,"total":15000.00},{"id":"tuition-001","program":"tuition","count":5,"total":2500.5}],"cutAt":"2026-10-13T00:00:03+08:00"},
          "closing": {"id":"f1","at":"2026-11-02T16:20:00+08:00"}
        }
        """;

    /// <summary>A cycle verifying, before anything else was recorded.</summary>
    private const string StoredVerifying = """
        {"countyCode":"410726","countyName":"延津县","semester":"2026-autumn","schoolYear":2026,"noticeDays":7,
         "rosters":{"students":{"kind":"students","importId":"9f2c","sha256":"aa11","size":20480,"rows":120,"format":"csv","fileName":"a.csv","uploadedBy":"admin:410726","uploadedAt":"2026-09-20T09:30:00+08:00"}},
         "verification":{"status":"running","runId":"r4","startedAt":"2026-09-20T09:31:12+08:00"}}
        """;

    /// <summary>A failed run: the summary carries the error and no figures.</summary>
    private const string StoredFailed = """
        {"countyCode":"410726","verification":{"status":"failed","runId":"r4","error":"There is no aid policy for school year 2026.","completedAt":"2026-09-20T09:31:40+08:00"}}
        """;

    [Theory]
    [InlineData(StoredRectification)]
    [InlineData(StoredVerifying)]
    [InlineData(StoredFailed)]
    [InlineData("{}")]
    public void ReadThenWrite_TodaysStoredShape_GivesBackTheSameJson(string stored)
    {
        var data = JsonNode.Parse(stored)!.AsObject();

        var written = new JsonObject { ["stale"] = "replaced whole" };
        CycleStateJson.Write(CycleStateJson.Read(data), written);

        Assert.Equal(Canonical(data), Canonical(written));
    }

    [Fact]
    public void Read_TodaysStoredShape_TypesEveryPartTheCycleUses()
    {
        var state = CycleStateJson.Read(JsonNode.Parse(StoredRectification)!.AsObject());

        Assert.Equal(("410726", "延津县", "2026-autumn", 2026, 5), (state.CountyCode, state.CountyName, state.Semester, state.SchoolYear!.Value, state.NoticeDays!.Value));
        Assert.True(state.HasBothRosters);
        Assert.Equal("bb22", state.Rosters![RosterFiles.Poverty].Sha256);
        Assert.Null(state.Rosters[RosterFiles.Poverty].FileName);
        Assert.True(state.Verification!.IsCompleted);
        Assert.Equal(("r7", 0, "2026-v1"), (state.Verification.RunId, state.Verification.PendingReview!.Value, state.Verification.PolicyVersion));
        Assert.Equal(["4107260001", "4107260002"], state.Verification.Schools!);
        Assert.Equal(new Yuan(2500.50m), state.Verification.Programs!["tuition"].Amount);
        Assert.Equal(new DateTimeOffset(2026, 10, 12, 23, 59, 59, TimeSpan.FromHours(8)), state.Notice!.EndsAt);
        Assert.Equal(40, state.Notice.Documents!.Rows);
        Assert.Equal(3, state.Findings!.Items);
        Assert.Equal(new Yuan(15000.00m), state.Disbursement!.Batches![0].Total);
        Assert.Equal("f1", state.Closing!.Id);
    }

    [Fact]
    public void ReadThenWrite_FieldsThisBuildDoesNotKnow_AreKept()
    {
        var stored = """
            {"countyCode":"410726","futureFlag":true,
             "verification":{"status":"completed","runId":"r7","newFigure":{"a":1}},
             "notice":{"endsAt":"2026-10-12T23:59:59+08:00","banner":"x"},
             "rosters":{"students":{"kind":"students","sha256":"aa11","fileName":"a.csv","encoding":"gb18030"}},
             "disbursement":{"batches":[{"id":"living-001","sealed":false}],"cutAt":"2026-10-13T00:00:03+08:00"}}
            """;
        var data = JsonNode.Parse(stored)!.AsObject();

        var written = new JsonObject();
        CycleStateJson.Write(CycleStateJson.Read(data), written);

        Assert.Equal(Canonical(data), Canonical(written));
    }

    [Fact]
    public void Transitions_WriteTheShapeStoredBefore()
    {
        var v3 = new AidCycleDefinitionV3();
        var data = JsonNode.Parse(StoredVerifying)!.AsObject();
        var upload = JsonNode.Parse("""
            {"kind":"poverty","importId":"7b1d","sha256":"bb22","size":4096,"rows":30,"format":"csv","fileName":null,"uploadedBy":"admin:410726","uploadedAt":"2026-09-20T09:40:00+08:00"}
            """)!.AsObject();
        var now = new DateTimeOffset(2026, 9, 20, 1, 40, 0, 123, TimeSpan.Zero);
        var context = new TransitionContext("410726-2026-autumn", Stages.Verifying, 12, data, new WorkflowEvent("upload|7b1d", CycleEvents.RosterUploaded, upload, "admin:410726"), now);

        var effects = v3.Find(Stages.Verifying, CycleEvents.RosterUploaded)!.Effects!(context).ToList();

        var verify = Assert.IsType<RunActivity>(Assert.Single(effects));
        Assert.Equal((VerificationSteps.Verify, CycleEvents.VerifyCompleted), (verify.Name, verify.CompletionEvent));
        var expected = JsonNode.Parse(StoredVerifying)!.AsObject();
        expected["rosters"]!["poverty"] = upload.DeepClone();
        expected["verification"] = JsonNode.Parse("""{"status":"running","runId":"r12","startedAt":"2026-09-20T09:40:00+08:00"}""");
        Assert.Equal(Canonical(expected), Canonical(data));
        Assert.Equal("poverty roster bb22 uploaded", context.Reason);
    }

    /// <summary>The JSON with every object's names in order: the stored shape, whatever order a writer used.</summary>
    private static string Canonical(JsonNode? node)
    {
        static JsonNode? Sort(JsonNode? n) => n switch
        {
            JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sort(p.Value)))),
            JsonArray a => new JsonArray([.. a.Select(Sort)]),
            _ => n?.DeepClone(),
        };

        return Sort(node)?.ToJsonString() ?? "null";
    }
}
