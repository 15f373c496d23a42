using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EduRelief.Bench.Generator;
using EduRelief.Tests.Disbursement;
using EduRelief.Tests.Generator;
using EduRelief.Tests.Hotline;
using EduRelief.Tests.Hosting;
using EduRelief.Tests.Rectification;
using EduRelief.Tests.Eligibility;
using Xunit;

namespace EduRelief.Tests.Cycles;

/// <summary>
/// A whole semester of a generated county on the dev clock, on one app process with a fake SendGrid: kick-off, both
/// rosters as the generator writes them (GBK CSV), verification against the generator's own expectation, review,
/// approval, the public notice with an objection, the notice's end cutting a batch per program (the objected child
/// held), the bank's result with one failure that fails again in the next batch (a paymentFailed item) and succeeds in
/// the third, the dismissed objection paid as 补发, an inspection's findings with evidence, one item overdue and
/// escalated by the 09:00 run, every item accepted, and the cycle closed with the ledger balanced.
/// </summary>
public sealed class SemesterJourneyTests
{
    private const string County = "410726";
    private const string BureauMail = "zizhu@yanjin.example.cn";
    private static readonly DateOnly Created = new(2026, 9, 1);
    private static readonly Regex IdNumber = new(@"\d{17}[\dXx]");
    private static readonly Regex Phone = new(@"(?<!\d)1[3-9]\d{9}(?!\d)");

    private static string SchoolMail(string schoolCode) => $"s{schoolCode}@yanjin.example.cn";

    private sealed record PaymentLine(int Sequence, string Name, string IdNumber, string Program, decimal Amount, string SchoolCode);

    [Fact]
    public async Task SemesterCycle_GeneratedCounty_RunsFromKickOffToClosedWithTheLedgerBalanced()
    {
        // ── Act 0: a modest generated county, read back independently for its schools ──────────────────────────────
        var directory = Path.Combine(Path.GetTempPath(), "edurelief-semester-" + Guid.NewGuid().ToString("N"));
        try
        {
            var spec = new CountySpec(Students: 400, Seed: 20261, NameMismatchRate: 0.25, NotEnrolledRate: 0.02, InvalidRowRate: 0);
            var county = CountyGenerator.Write(spec, directory, Created);
            var expected = county.Expected;
            var schools = RosterFiles.Read(county.StudentsPath).Rows.Select(r => r["学校标识码"].Trim()).Where(c => c.Length == 10 && c.All(char.IsAsciiDigit)).Distinct().Order().ToList();
            Assert.True(expected.Discrepancies["nameMismatch"] >= 2, $"the county has mismatches to confirm and reject: {expected.ToJson(false)}");
            Assert.True(expected.Discrepancies["notEnrolled"] >= 1, $"the county has children out of school: {expected.ToJson(false)}");

            await using var sendGrid = new FakeSendGrid();
            await using var app = await AppProcess.StartAsync(environment: sendGrid.Environment);
            var admin = app.Admin;

            // ── Act 1: contacts with a mailbox per school, kick-off on the generator's creation date ────────────────────
            var (contactsStatus, _) = await admin.SendJsonAsync(HttpMethod.Put, $"/api/counties/{County}/contacts", new
            {
                bureauName = "延津县教育局",
                hotlinePhone = "0373-7201234",
                objectionAddress = "延津县文化路12号教育局学生资助管理中心",
                bureauEmail = BureauMail,
                sections = new Dictionary<string, string> { ["资助股"] = "zizhugu@yanjin.example.cn" },
                schools = schools.ToDictionary(s => s, SchoolMail),
            });
            Assert.Equal(200, contactsStatus);
            await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-01T09:30:00+08:00" });
            var (createdStatus, created) = await admin.PostAsync("/api/cycles", new { countyCode = County, semester = "2026-autumn", noticeDays = 5 });
            Assert.Equal(201, createdStatus);
            var id = (string)created!["id"]!;
            Assert.Equal("410726-2026-autumn", id);
            Assert.Equal(3, (int)created["definitionVersion"]!);

            // ── Act 2: both rosters as the generator wrote them (GBK CSV), verified to the generator's figures ─────────
            Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, id, "students", await File.ReadAllBytesAsync(county.StudentsPath), "text/csv")).Status);
            Assert.Equal(202, (await VerificationApiTests.UploadAsync(admin, id, "poverty", await File.ReadAllBytesAsync(county.PovertyPath), "text/csv")).Status);
            // The county's accounts: a card in each registered person's name, so every eligible child can be paid.
            var accounts = await EduRelief.Tests.Accounts.AccountsFiles.ForRegistryAsync(await File.ReadAllBytesAsync(county.PovertyPath), new DateOnly(2026, 9, 1));
            Assert.Equal(202, (await admin.PutFileAsync($"/api/counties/{County}/accounts", accounts, "text/csv")).Status);
            var reviewing = (await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => (string?)r.Body!["stage"] == "review", TimeSpan.FromSeconds(60), "verification")).Body!;
            var verification = reviewing["verification"]!;
            Assert.Equal(expected.Students, (int)verification["students"]!);
            Assert.Equal(expected.PovertyPersons, (int)verification["povertyPersons"]!);
            Assert.Equal(expected.Matched, (int)verification["matched"]!);
            Assert.Equal(expected.Eligible, (int)verification["eligible"]!);
            Assert.Equal(expected.PendingReview, (int)verification["pendingReview"]!);
            foreach (var (kind, count) in expected.Discrepancies)
            {
                Assert.True(count == ((int?)verification["discrepancies"]?[kind] ?? 0), $"{kind}: expected {count}, got {verification["discrepancies"]?.ToJsonString()}");
            }

            var verified = verification["programs"]!.AsObject().ToDictionary(p => p.Key, p => ((int)p.Value!["recipients"]!, (decimal)p.Value!["amount"]!));
            Assert.Equal(
                expected.Programs.Where(p => p.Value.Recipients > 0).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value.Recipients} {p.Value.Amount:0.00}"),
                verified.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value.Item1} {p.Value.Item2:0.00}"));

            Assert.Equal(expected.TotalAmount, (decimal)verification["totalAmount"]!);

            // ── Act 3: review: every pending mismatch decided, all confirmed but one rejected ────────────────────────────
            var mismatches = (await admin.GetJsonAsync($"/api/cycles/{id}/discrepancies?kind=nameMismatch&pageSize=1000")).Body!["items"]!.AsArray();
            Assert.Equal(expected.Discrepancies["nameMismatch"], mismatches.Count);
            var rejected = mismatches.First(m => (string?)m!["schoolCode"] is { Length: 10 })!;
            var rejectedSchool = (string)rejected["schoolCode"]!;
            Assert.Equal(409, (await admin.PostAsync($"/api/cycles/{id}/approve")).Status); // nothing is approved while a mismatch waits
            foreach (var m in mismatches)
            {
                var reject = ReferenceEquals(m, rejected);
                var (decided, _) = await admin.PostAsync($"/api/cycles/{id}/discrepancies/{(string)m!["id"]!}/decision", reject
                    ? new { decision = "reject", reason = "经入户核实非同一人" }
                    : new { decision = "confirm", reason = "经核实为同一人，姓名录入有误" });
                Assert.Equal(200, decided);
            }

            var decidedCycle = (await admin.GetJsonAsync($"/api/cycles/{id}")).Body!;
            var approvedList = decidedCycle["verification"]!;
            Assert.Equal(0, (int)approvedList["pendingReview"]!);
            Assert.Equal(expected.Eligible + mismatches.Count - 1, (int)approvedList["eligible"]!);
            var programs = approvedList["programs"]!.AsObject().ToDictionary(p => p.Key, p => ((int)p.Value!["recipients"]!, (decimal)p.Value!["amount"]!));
            Assert.Equal((decimal)approvedList["totalAmount"]!, programs.Values.Sum(p => p.Item2));
            Assert.True((decimal)approvedList["totalAmount"]! > expected.TotalAmount, "the confirmed students add to the list");

            // ── Act 4: approval on 09-30: the notice for 5 working days, the findings as rectification items ─────────────
            await admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
            Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/approve")).Status);
            var findingItems = expected.Discrepancies["notEnrolled"] + 1; // each child out of school, and the rejected mismatch
            var noticed = (await Eventually.UntilAsync(
                () => admin.GetJsonAsync($"/api/cycles/{id}"),
                r => r.Body!["notice"]?["documents"] is not null && (int?)r.Body["rectification"]?["items"] == findingItems,
                TimeSpan.FromSeconds(60),
                "the notice documents and the findings")).Body!;
            Assert.Equal("notice", (string?)noticed["stage"]);
            Assert.Equal("2026-10-12T23:59:59+08:00", (string?)noticed["notice"]!["endsAt"]);
            Assert.Equal(programs.Values.Sum(p => p.Item1), (int)noticed["notice"]!["documents"]!["rows"]!);
            Assert.Equal(findingItems, (int)noticed["rectification"]!["open"]!);
            var (_, dropouts) = await admin.GetJsonAsync($"/api/cycles/{id}/rectification?source=notEnrolled");
            Assert.Equal(expected.Discrepancies["notEnrolled"], dropouts!["items"]!.AsArray().Count);
            Assert.All(dropouts["items"]!.AsArray(), i => Assert.Equal("section:控辍保学", (string?)i!["owner"]));
            Assert.All(dropouts["items"]!.AsArray(), i => Assert.Equal("2026-10-27T23:59:59+08:00", (string?)i!["dueAt"]));
            var (_, mismatchItems) = await admin.GetJsonAsync($"/api/cycles/{id}/rectification?source=mismatch");
            Assert.Equal($"school:{rejectedSchool}", (string?)mismatchItems!["items"]!.AsArray().Single()!["owner"]);

            // The public notice answers without a key, and lists the child the objection will name.
            var ledger = await AllAsync(admin, $"/api/cycles/{id}/ledger");
            Assert.Equal(programs.Values.Sum(p => p.Item1), ledger.Count);
            var objected = ledger
                .GroupBy(l => ((string)l!["schoolCode"]!, (string)l["name"]!))
                .Where(g => g.Count() == 1)
                .Select(g => g.Single()!)
                .OrderBy(l => (string)l["program"]! == "living_subsidy" ? 0 : 1).ThenBy(l => (string)l["id"]!, StringComparer.Ordinal)
                .First();
            var objectedSchool = (string)objected["schoolCode"]!;
            var objectedName = (string)objected["name"]!;
            var objectedProgram = (string)objected["program"]!;
            var objectedAmount = (decimal)objected["amount"]!;
            using var publicClient = app.CreateClient(null);
            using (var page = await publicClient.GetAsync($"/notices/{id}/{objectedSchool}"))
            {
                Assert.Equal(200, (int)page.StatusCode);
                var html = await page.Content.ReadAsStringAsync();
                Assert.Contains(objectedName, html, StringComparison.Ordinal);
                Assert.DoesNotMatch(IdNumber, html);
            }

            // ── Act 5: an objection through the signed webhook on 10-08 names that child: held ──────────────────────────
            await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-08T15:00:00+08:00" });
            var (objectionStatus, objection) = await HotlineWebhook.PostAsync(app, HotlineWebhook.Case(
                "semester-objection-1", "objection", new { cycleId = id, schoolCode = objectedSchool, studentName = objectedName }, "2026-10-08T14:50:00+08:00"));
            Assert.Equal(201, objectionStatus);
            var caseNumber = (string)objection!["caseNumber"]!;
            Assert.Equal("2026-10-12T23:59:59+08:00", (string?)objection["deadline"]);
            Assert.Equal(200, (await admin.PostAsync($"/api/hotline/cases/{caseNumber}/assign", new { assignee = $"school:{objectedSchool}" })).Status);
            var holding = (await admin.GetJsonAsync($"/api/cycles/{id}")).Body!["notice"]!;
            Assert.Equal(1, (int)holding["objectionsOpen"]!);
            Assert.Equal(1, (int)holding["held"]!);

            // Monday 10-12 09:00: the objection is due by the end of the day: its school gets a digest.
            await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-12T09:00:30+08:00" });
            // (The same run reminds of 控辍保学 cases without last week's note: WeeklyCheck tells those digests apart.)
            await Eventually.UntilAsync(() => Task.FromResult(sendGrid.Accepted.Count(Counted)), n => n >= 1, TimeSpan.FromSeconds(60), "the 10-12 objection reminder");
            var objectionReminder = Assert.Single(sendGrid.Accepted, Counted);
            Assert.Equal([SchoolMail(objectedSchool)], FakeSendGrid.To(objectionReminder));
            Assert.Contains(caseNumber, FakeSendGrid.Text(objectionReminder), StringComparison.Ordinal);

            // ── Act 6: the notice ends; the cycle cuts one batch per program by itself, the objected child held ─────────
            await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-13T00:00:01+08:00" });
            var paying = (await Eventually.UntilAsync(
                () => admin.GetJsonAsync($"/api/cycles/{id}"),
                r => (string?)r.Body!["stage"] == "disbursement" && r.Body["disbursement"]?["batches"] is JsonArray { Count: > 0 },
                TimeSpan.FromSeconds(60),
                "the batches cut at the notice's end")).Body!;
            using (var gone = await publicClient.GetAsync($"/notices/{id}/{objectedSchool}"))
            {
                Assert.Equal(410, (int)gone.StatusCode);
            }

            var firstBatches = paying["disbursement"]!["batches"]!.AsArray().Select(b => (string)b!["id"]!).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(programs.Keys.Order(StringComparer.Ordinal).Select(p => $"{p}-001"), firstBatches);
            var held = Totals(paying)[objectedProgram];
            Assert.Equal(1, (int)held["held"]!["count"]!);
            Assert.Equal(objectedAmount, (decimal)held["held"]!["amount"]!);

            // ── Act 7: each first batch's payment file (GBK) goes to the bank; one living subsidy fails ─────────────────
            var failProgram = programs.ContainsKey("living_subsidy") ? "living_subsidy" : programs.Keys.First();
            PaymentLine? failed = null;
            (PaymentLine Line, string Program)? paidOne = null;
            var paidIds = new List<string>();
            foreach (var batchId in firstBatches)
            {
                var program = batchId[..^4];
                var batch = (await admin.GetJsonAsync($"/api/cycles/{id}/batches/{batchId}")).Body!["batch"]!;
                var heldHere = program == objectedProgram ? 1 : 0;
                Assert.Equal("sealed", (string?)batch["status"]);
                Assert.Equal("regular", (string?)batch["kind"]);
                Assert.Equal(programs[program].Item1 - heldHere, (int)batch["count"]!);
                Assert.Equal(programs[program].Item2 - (heldHere * objectedAmount), (decimal)batch["total"]!);
                var lines = await PaymentFileAsync(admin, id, batchId, (int)batch["count"]!, (decimal)batch["total"]!);
                paidIds.AddRange(lines.Select(l => l.IdNumber));
                Assert.DoesNotContain(lines, l => l.SchoolCode == objectedSchool && l.Name == objectedName && program == objectedProgram);
                var failing = program == failProgram ? lines.First(l => l.Name != objectedName) : null;
                failed ??= failing;
                paidOne ??= lines.FirstOrDefault(l => l != failing) is { } first ? (first, program) : null;
                var (status, reconciled) = await UploadResultAsync(admin, id, batchId, Bank(lines, failing));
                Assert.Equal(202, status);
                Assert.True((bool)reconciled!["changed"]!);
                Assert.Equal("reconciled", (string?)reconciled["batch"]!["status"]);
                Assert.Empty(reconciled["exceptions"]!.AsArray());
                Assert.Equal(lines.Count - (failing is null ? 0 : 1), (int)reconciled["batch"]!["result"]!["paid"]!);
            }

            Assert.NotNull(failed);

            // The child registry's timeline shows where a paid child's payment stands, by the batch that paid it.
            var (paidLine, paidProgram) = paidOne!.Value;
            var (_, registered) = await admin.PostAsync($"/api/counties/{County}/children/search", new { idNumber = paidLine.IdNumber });
            var (_, timeline) = await admin.GetJsonAsync($"/api/counties/{County}/children/{(string)registered!["items"]![0]!["id"]!}");
            var paidEntitlement = timeline!["timeline"]!.AsArray().Single()!["entitlements"]!.AsArray().Single(e => (string?)e!["program"] == paidProgram)!;
            Assert.Equal(("paid", paidLine.Amount), ((string?)paidEntitlement["paymentStatus"], (decimal)paidEntitlement["amount"]!));
            Assert.StartsWith(paidProgram, (string?)paidEntitlement["batchId"], StringComparison.Ordinal);

            // Every batch reconciled: the cycle moves to rectification with one failure owed.
            var afterFirst = (await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => (string?)r.Body!["stage"] == "rectification", TimeSpan.FromSeconds(30), "rectification")).Body!;
            Assert.False((bool)afterFirst["disbursement"]!["settled"]!);
            var failing1 = Totals(afterFirst)[failProgram];
            Assert.Equal(1, (int)failing1["failed"]!["count"]!);
            Assert.Equal(failed.Amount, (decimal)failing1["failed"]!["amount"]!);
            var (blockedStatus, blocked) = await admin.PostAsync($"/api/cycles/{id}/close");
            Assert.Equal(409, blockedStatus);
            Assert.Contains(blocked!["errors"]!["cycle"]!.AsArray(), b => ((string)b!).StartsWith($"{failProgram}: 0 pending, 1 failed", StringComparison.Ordinal));

            // ── Act 8: the failed row goes into a second batch cut by hand; it fails again: a paymentFailed item ────────
            var second = await CutAsync(admin, id, new { program = failProgram, requestId = "semester-second" }, 1, failed.Amount);
            var secondLines = await PaymentFileAsync(admin, id, second, 1, failed.Amount);
            Assert.Equal(failed with { Sequence = 1 }, secondLines.Single());
            var (secondStatus, secondResult) = await UploadResultAsync(admin, id, second, Bank(secondLines, secondLines[0]));
            Assert.Equal(202, secondStatus);
            Assert.Equal(1, (int)secondResult!["batch"]!["result"]!["failed"]!);
            var paymentFailed = (await Eventually.UntilAsync(
                () => admin.GetJsonAsync($"/api/cycles/{id}/rectification?source=paymentFailed"),
                r => r.Body!["items"]!.AsArray().Count > 0,
                TimeSpan.FromSeconds(30),
                "the paymentFailed item")).Body!["items"]!.AsArray().Single()!;
            Assert.Equal("open", (string?)paymentFailed["status"]);
            Assert.Equal(failed.Name, (string?)paymentFailed["studentName"]);

            // The third batch pays it.
            var third = await CutAsync(admin, id, new { program = failProgram, requestId = "semester-third" }, 1, failed.Amount);
            var thirdLines = await PaymentFileAsync(admin, id, third, 1, failed.Amount);
            Assert.Equal(202, (await UploadResultAsync(admin, id, third, Bank(thirdLines, null))).Status);

            // ── Act 9: the objection is dismissed: the child is paid as 补发 in a back-pay batch with its reason ────────
            Assert.Equal(409, (await admin.PostAsync($"/api/cycles/{id}/batches", new { program = objectedProgram, kind = "backpay", reason = "异议不成立，补发" })).Status);
            Assert.Equal(200, (await admin.PostAsync($"/api/hotline/cases/{caseNumber}/objection/decision", new { decision = "dismissed", reason = "经核实该生符合资助条件" })).Status);
            Assert.Equal(200, (await admin.PostAsync($"/api/hotline/cases/{caseNumber}/reply", new { reply = "经核实，该生家庭为脱贫户，符合资助条件，已补发。" })).Status);
            Assert.Equal(200, (await admin.PostAsync($"/api/hotline/cases/{caseNumber}/satisfaction", new { satisfaction = "satisfied" })).Status);
            var backPay = await CutAsync(admin, id, new { program = objectedProgram, kind = "backpay", reason = $"异议{caseNumber}经核实不成立，补发资助", requestId = "semester-backpay" }, 1, objectedAmount);
            var backPayBatch = (await admin.GetJsonAsync($"/api/cycles/{id}/batches/{backPay}")).Body!["batch"]!;
            Assert.Equal("backpay", (string?)backPayBatch["kind"]);
            Assert.StartsWith($"异议{caseNumber}", (string?)backPayBatch["reason"], StringComparison.Ordinal);
            var backPayLines = await PaymentFileAsync(admin, id, backPay, 1, objectedAmount);
            Assert.Equal((objectedName, objectedSchool), (backPayLines[0].Name, backPayLines[0].SchoolCode));
            Assert.Equal(202, (await UploadResultAsync(admin, id, backPay, Bank(backPayLines, null))).Status);
            var settled = (await admin.GetJsonAsync($"/api/cycles/{id}")).Body!;
            Assert.True((bool)settled["disbursement"]!["settled"]!);
            Assert.Equal(1, (int)Totals(settled)[objectedProgram]["backPaid"]!["count"]!);
            Assert.Equal(objectedAmount, (decimal)Totals(settled)[objectedProgram]["backPaid"]!["amount"]!);

            // ── Act 10: an inspection on 10-13: one finding fixed at once, one left to go overdue ─────────────────────
            var lateSchool = schools.First(s => s != rejectedSchool && s != objectedSchool);
            var inspector = await app.ClientForRoleAsync("inspector");
            var (inspected, inspection) = await inspector.PostAsync($"/api/cycles/{id}/inspections", new
            {
                inspectionId = "2026-秋-督导-01",
                team = "县教育局督导室第一组",
                inspectedAt = "2026-10-13T00:00:00+08:00",
                findings = new object[]
                {
                    new { title = "资助政策公示未在校内张贴", description = "督导组现场检查发现", owner = $"school:{rejectedSchool}", deadlineWorkingDays = 5 },
                    new { title = "资助档案缺少家长签字", description = "督导组抽查档案发现", owner = $"school:{lateSchool}", deadlineWorkingDays = 1 },
                },
            });
            Assert.Equal(201, inspected);
            var fixedItem = (string)inspection!["items"]![0]!["id"]!;
            var lateItem = (string)inspection["items"]![1]!["id"]!;
            Assert.Equal("2026-10-14T23:59:59+08:00", (string?)(await admin.GetJsonAsync($"/api/cycles/{id}/rectification/{lateItem}")).Body!["item"]!["dueAt"]);
            var officer = await app.ClientForRoleAsync("school_officer", rejectedSchool);
            await SubmitWithEvidenceAsync(officer, id, fixedItem, "公示照片.pdf");
            var (acceptedStatus, acceptedItem) = await admin.PostAsync($"/api/cycles/{id}/rectification/{fixedItem}/accept", new { note = "验收通过" });
            Assert.Equal(200, acceptedStatus);
            Assert.Equal("accepted", (string?)acceptedItem!["status"]);

            // 09:00 on 10-13: the late item is due within 3 working days: its school is reminded.
            await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-13T09:00:30+08:00" });
            // (The same run reminds townships and schools of 控辍保学 cases without last week's note: picked by content.)
            var dueSoon = await Eventually.UntilAsync(
                () => Task.FromResult(sendGrid.Accepted.FirstOrDefault(m => FakeSendGrid.Text(m).Contains(lateItem, StringComparison.Ordinal))),
                m => m is not null, TimeSpan.FromSeconds(60), "the 10-13 reminder");
            Assert.Equal([SchoolMail(lateSchool)], FakeSendGrid.To(dueSoon!));

            // 09:00 on 10-15: it is overdue and escalates to the bureau. The runner computes the next occurrence when the
            // 10-13 run has returned: moving the clock before that would skip the 10-15 run, so wait for it.
            await Eventually.UntilAsync(() => Task.FromResult(app.Output), o => o.Contains("next occurrence 2026-10-14T01:00:00", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the 10-13 run to finish");
            await admin.PostAsync("/api/dev/clock", new { setTo = "2026-10-15T09:00:30+08:00" });
            var escalation = await Eventually.UntilAsync(
                () => Task.FromResult(sendGrid.Accepted.FirstOrDefault(m => m != dueSoon && FakeSendGrid.Text(m).Contains(lateItem, StringComparison.Ordinal))),
                m => m is not null, TimeSpan.FromSeconds(60), "the 10-15 escalation");
            Assert.Equal([BureauMail], FakeSendGrid.To(escalation!));
            var late = (await admin.GetJsonAsync($"/api/cycles/{id}/rectification/{lateItem}")).Body!["item"]!;
            Assert.True((bool)late["overdue"]!);
            Assert.StartsWith("2026-10-13T09:00", (string?)late["remindedAt"], StringComparison.Ordinal);
            Assert.StartsWith("2026-10-15T09:00", (string?)late["escalatedAt"], StringComparison.Ordinal);
            var (_, overdueList) = await admin.GetJsonAsync($"/api/cycles/{id}/rectification?overdue=true");
            Assert.Equal([lateItem], overdueList!["items"]!.AsArray().Select(i => (string)i!["id"]!));

            // ── Act 11: every item accepted: 控辍保学 children found studying in another county (recorded on their cases,
            // which close their items), the others with evidence ──
            // (a child found enrolled would be owed aid from then on and keep the cycle open until a 补发 batch paid it)
            var all = await AllAsync(admin, $"/api/cycles/{id}/rectification?status=open");
            Assert.Equal(findingItems + 2, all.Count); // the approval's findings, paymentFailed, the late finding
            foreach (var item in all.Where(i => (string?)i!["source"] == "notEnrolled"))
            {
                var caseUrl = $"/api/counties/{County}/dropout-cases/{(string)item!["caseId"]!}";
                var (recorded, closedCase) = await admin.PostAsync($"{caseUrl}/outcome", new { outcome = "outside_county", date = "2026-10-14", schoolName = "杭州市文三街小学", note = "经入户核查在外县就读" });
                Assert.True(recorded == 200, $"{caseUrl}: {recorded} {closedCase}");
                Assert.Equal("accepted", (string?)(await admin.GetJsonAsync($"/api/cycles/{id}/rectification/{(string)item["id"]!}")).Body!["item"]!["status"]);
            }

            var open = all.Where(i => (string?)i!["source"] != "notEnrolled").ToList();
            foreach (var item in open)
            {
                var itemId = (string)item!["id"]!;
                await SubmitWithEvidenceAsync(admin, id, itemId, $"整改报告-{itemId}.pdf");
            }

            var lastId = (string)open[^1]!["id"]!;
            foreach (var item in open.Take(open.Count - 1))
            {
                Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/rectification/{(string)item!["id"]!}/accept", new { note = "验收通过" })).Status);
            }

            Assert.Equal("rectification", (string?)(await admin.GetJsonAsync($"/api/cycles/{id}")).Body!["stage"]);
            Assert.Equal(200, (await admin.PostAsync($"/api/cycles/{id}/rectification/{lastId}/accept", new { note = "验收通过" })).Status);

            // ── Act 12: the last accepted item closes the cycle; the ledger balances program by program ─────────────────
            var closed = (await Eventually.UntilAsync(() => admin.GetJsonAsync($"/api/cycles/{id}"), r => (string?)r.Body!["stage"] == "closed", TimeSpan.FromSeconds(30), "the cycle to close")).Body!;
            Assert.True((bool)closed["disbursement"]!["settled"]!);
            var totals = Totals(closed);
            Assert.Equal(programs.Keys.Order(StringComparer.Ordinal), totals.Keys.Order(StringComparer.Ordinal));
            foreach (var (program, (recipients, amount)) in programs)
            {
                var t = totals[program];
                Assert.Equal(recipients, (int)t["owed"]!["count"]!);
                Assert.Equal(amount, (decimal)t["owed"]!["amount"]!);
                Assert.Equal(recipients, (int)t["paid"]!["count"]!);
                Assert.Equal(amount, (decimal)t["paid"]!["amount"]!);
                foreach (var empty in new[] { "pending", "failed", "held", "cancelled" })
                {
                    Assert.Equal(0, (int)t[empty]!["count"]!);
                    Assert.Equal(0m, (decimal)t[empty]!["amount"]!);
                }

                Assert.Equal(program == objectedProgram ? 1 : 0, (int)t["backPaid"]!["count"]!);
            }

            Assert.Equal((decimal)approvedList["totalAmount"]!, totals.Values.Sum(t => (decimal)t["paid"]!["amount"]!));

            // And against the generator's own figures: what it expected eligible, plus the students confirmed in review.
            var confirmed = ledger.Where(l => (string?)l["source"] == "review").ToList();
            Assert.Equal(mismatches.Count - 1, confirmed.Count);
            foreach (var program in totals.Keys)
            {
                var (generatorCount, generatorAmount) = expected.Programs.GetValueOrDefault(program);
                var reviewed = confirmed.Where(l => (string)l["program"]! == program).ToList();
                Assert.Equal(generatorCount + reviewed.Count, (int)totals[program]["paid"]!["count"]!);
                Assert.Equal(generatorAmount + reviewed.Sum(l => (decimal)l["amount"]!), (decimal)totals[program]["paid"]!["amount"]!);
            }
            var (_, summary) = await admin.GetJsonAsync($"/api/cycles/{id}/rectification/summary");
            Assert.Equal(findingItems + 3, (int)summary!["items"]!); // the findings, paymentFailed, two inspection findings
            Assert.Equal(findingItems + 3, (int)summary["accepted"]!);
            Assert.Equal(1m, (decimal)summary["rate"]!);
            var (_, batches) = await admin.GetJsonAsync($"/api/cycles/{id}/batches");
            Assert.Equal(firstBatches.Count + 3, batches!["items"]!.AsArray().Count);
            Assert.All(batches["items"]!.AsArray(), b => Assert.Equal("reconciled", (string?)b!["status"]));
            var history = (await admin.GetJsonAsync($"/api/cycles/{id}/history?pageSize=1000")).Body!["items"]!.AsArray();
            Assert.Equal(
                ["awaiting_rosters", "verifying", "review", "notice", "disbursement", "rectification", "closed"],
                history.Select(h => (string)h!["to"]!).Distinct().ToArray());
            // The last acceptance asked the cycle to close, and the cycle's settling step closed it after that request.
            var events = history.Select(h => (string)h!["event"]!).ToList();
            var requested = events.FindLastIndex(e => e == global::EduRelief.Cycles.CycleEvents.CloseRequested);
            Assert.True(requested >= 0, string.Join(", ", events));
            Assert.Contains(lastId, (string?)history[requested]!["reason"], StringComparison.Ordinal);
            Assert.Equal(global::EduRelief.Cycles.CycleEvents.RectificationCompleted, events[^1]);
            // After it only settling steps finishing (earlier acceptances' included), the fence and the close.
            Assert.Equal([global::EduRelief.Cycles.CycleEvents.CloseFenced, global::EduRelief.Cycles.CycleEvents.RectificationCompleted], events[^2..]);
            Assert.All(events[(requested + 1)..^2], e => Assert.Equal(global::EduRelief.Cycles.ClosingSteps.Settled, e));

            // ── Act 13: the mail: exactly the three expected besides the weekly check's, none with an ID or phone number ──
            Assert.Equal(3, sendGrid.Accepted.Count(Counted));
            Assert.Contains(sendGrid.Accepted, WeeklyCheck); // the week of 10-05 had no note on any case
            Assert.Contains(sendGrid.Accepted, MonthlyReport); // September's, made on 8 October, the first working day
            foreach (var mail in sendGrid.Accepted)
            {
                var text = FakeSendGrid.Subject(mail) + "\n" + FakeSendGrid.Text(mail);
                Assert.DoesNotMatch(IdNumber, text);
                Assert.DoesNotMatch(Phone, text);
                Assert.DoesNotContain("13812345678", text, StringComparison.Ordinal);
            }

            Assert.All(paidIds, n => Assert.DoesNotContain(n, app.Output, StringComparison.Ordinal));
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>The cycle's money per program, each checked to balance: owed = paid + pending + failed + held.</summary>
    private static Dictionary<string, JsonNode> Totals(JsonNode cycle)
    {
        var totals = cycle["disbursement"]!["programs"]!.AsArray().ToDictionary(p => (string)p!["program"]!, p => p!);
        foreach (var (program, t) in totals)
        {
            string[] parts = ["paid", "pending", "failed", "held"];
            Assert.True((int)t["owed"]!["count"]! == parts.Sum(f => (int)t[f]!["count"]!), $"{program} counts balance: {t.ToJsonString()}");
            Assert.True((decimal)t["owed"]!["amount"]! == parts.Sum(f => (decimal)t[f]!["amount"]!), $"{program} amounts balance: {t.ToJsonString()}");
        }

        return totals;
    }

    /// <summary>Every item of a paged list.</summary>
    private static async Task<List<JsonNode>> AllAsync(HttpClient client, string url)
    {
        var items = new List<JsonNode>();
        string? token = null;
        do
        {
            var separator = url.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            var (status, page) = await client.GetJsonAsync($"{url}{separator}pageSize=1000{(token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token))}");
            Assert.Equal(200, status);
            items.AddRange(page!["items"]!.AsArray().Select(i => i!));
            token = (string?)page["continuationToken"];
        }
        while (token is not null);
        return items;
    }

    private static async Task<string> CutAsync(HttpClient admin, string id, object request, int count, decimal total)
    {
        var (status, batch) = await admin.PostAsync($"/api/cycles/{id}/batches", request);
        Assert.True(status == 201, $"cut: {status} {batch}");
        Assert.Equal("sealed", (string?)batch!["status"]);
        Assert.Equal(count, (int)batch["count"]!);
        Assert.Equal(total, (decimal)batch["total"]!);
        return (string)batch["id"]!;
    }

    /// <summary>The bank's file for a batch, decoded from GBK and parsed; its trailer agrees with the batch.</summary>
    private static async Task<List<PaymentLine>> PaymentFileAsync(HttpClient admin, string id, string batchId, int count, decimal total)
    {
        using var response = await admin.GetAsync($"/api/cycles/{id}/batches/{batchId}/payment-file");
        Assert.Equal(200, (int)response.StatusCode);
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var records = RosterFiles.ParseCsv(Encoding.GetEncoding(936).GetString(await response.Content.ReadAsByteArrayAsync()));
        Assert.Equal(["序号", "姓名", "身份证号", "资助项目", "金额", "学校标识码", "账户名", "账号", "开户行"], records[0]);
        Assert.Equal(["合计", count.ToString(CultureInfo.InvariantCulture), total.ToString("0.00", CultureInfo.InvariantCulture)], records[^1]);
        var lines = records.Skip(1).Take(records.Count - 2).Select(r => new PaymentLine(
            int.Parse(r[0], CultureInfo.InvariantCulture), r[1], r[2], r[3], decimal.Parse(r[4], CultureInfo.InvariantCulture), r[5])).ToList();
        Assert.Equal(count, lines.Count);
        Assert.Equal(total, lines.Sum(l => l.Amount));
        Assert.All(lines, l => Assert.Matches(IdNumber, l.IdNumber));
        // Every row carries the account the bank pays: a holder, a valid card number, a bank.
        Assert.All(records.Skip(1).Take(records.Count - 2), r => Assert.True(r[6].Length > 0 && EduRelief.Accounts.AccountRules.IsValid(r[7]) && r[8].Length > 0, string.Join(',', r[6..])));
        return lines;
    }

    /// <summary>The bank's result: every line 成功 except <paramref name="failing"/>, 失败 with a reason.</summary>
    private static byte[] Bank(IEnumerable<PaymentLine> lines, PaymentLine? failing) =>
        BankResult.Csv(lines.Select(l => new BankResult.Line(l.Sequence, l.IdNumber, l.Amount, l != failing, l == failing ? "账户已冻结" : "")));

    private static async Task<(int Status, JsonNode? Body)> UploadResultAsync(HttpClient client, string id, string batchId, byte[] file)
    {
        using var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await client.PostAsync($"/api/cycles/{id}/batches/{batchId}/result", content);
        return await Disbursement.DisbursementApiTests.FollowResultAsync(client, response);
    }

    /// <summary>A 控辍保学 weekly-check digest (cases without last week's progress note), sent by the 09:00 run besides the deadlines' reminders.</summary>
    private static bool WeeklyCheck(JsonNode mail) => FakeSendGrid.Subject(mail).Contains("上周未填写进展", StringComparison.Ordinal);

    private static bool MonthlyReport(JsonNode mail) => FakeSendGrid.Subject(mail).Contains("控辍保学月报", StringComparison.Ordinal);

    /// <summary>The mails this journey counts: neither the weekly check's digests nor the monthly report.</summary>
    private static bool Counted(JsonNode mail) => !WeeklyCheck(mail) && !MonthlyReport(mail);

    private static async Task SubmitWithEvidenceAsync(HttpClient client, string id, string itemId, string fileName, object? submission = null)
    {
        var url = $"/api/cycles/{id}/rectification/{itemId}";
        using (var content = new ByteArrayContent(EvidenceSamples.Pdf($"整改报告 {itemId}")))
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
            using var uploaded = await client.PostAsync($"{url}/evidence?fileName={Uri.EscapeDataString(fileName)}", content);
            Assert.Equal(201, (int)uploaded.StatusCode);
        }

        var (status, submitted) = await client.PostAsync($"{url}/submit", submission ?? new { note = "已整改，附佐证材料" });
        Assert.True(status == 200, $"submit {itemId}: {status} {submitted}");
        Assert.Equal("submitted", (string?)submitted!["status"]);
    }
}
