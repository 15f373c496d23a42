using EduRelief.Workflow;

namespace EduRelief.Cycles;

/// <summary>
/// A dead-lettered step of a cycle as people see it: <see cref="Error"/> says in Chinese which step stopped and that it
/// waits for the operators, <see cref="ErrorEn"/> the same in English, and <see cref="Technical"/> keeps the engine's
/// own text (the exception) for the operators.
/// </summary>
public sealed record PausedStep(
    string Id,
    string Type,
    string? Name,
    string? Kind,
    string? ShardKey,
    string Error,
    string ErrorEn,
    string Technical,
    int Attempts,
    DateTimeOffset FailedAt)
{
    public static PausedStep Of(DeadLetter dead)
    {
        var (zh, en) = StepNames.Of(dead.Kind, dead.Name);
        return new(
            dead.Id, dead.Type, dead.Name, dead.Kind, dead.ShardKey,
            $"后台步骤“{zh}”失败 {dead.Attempts} 次后已暂停，等待运维人员处理后重试。",
            $"The background step \"{en}\" is paused after {dead.Attempts} failed attempt(s), waiting for the operators to retry it.",
            dead.Error, dead.Attempts, dead.FailedAt);
    }
}

/// <summary>The aid cycle's background steps as people name them, by activity kind (or step name).</summary>
public static class StepNames
{
    private static readonly (string Kind, string Name, string Zh, string En)[] Steps =
    [
        (VerificationSteps.VerifyKind, VerificationSteps.Verify, "名册核验", "roster verification"),
        (NoticeSteps.RenderKind, NoticeSteps.Documents, "生成学校公示文件", "rendering a school's notice"),
        (NoticeSteps.SummarizeKind, NoticeSteps.Summary, "汇总公示文件", "counting the notice documents"),
        (SettlementSteps.FindingsKind, SettlementSteps.Findings, "生成整改事项", "opening rectification items"),
        (SettlementSteps.PaymentsKind, SettlementSteps.Payments, "生成发放批次", "cutting payment batches"),
        (SettlementSteps.ReconcileKind, SettlementSteps.Reconcile, "银行结果对账", "reconciling a bank result"),
    ];

    /// <summary>Each step's names by its activity kind and by its step name.</summary>
    private static readonly Dictionary<string, (string Zh, string En)> Names = Steps
        .SelectMany(s => new[] { (Key: s.Kind, s.Zh, s.En), (Key: s.Name, s.Zh, s.En) })
        .ToDictionary(s => s.Key, s => (s.Zh, s.En), StringComparer.Ordinal);

    /// <summary>The step's names; a step the cycle does not know (a stray message) is "未知步骤（kind）".</summary>
    public static (string Zh, string En) Of(string? kind, string? name) =>
        kind is not null && Names.TryGetValue(kind, out var byKind) ? byKind
        : name is not null && Names.TryGetValue(name, out var byName) ? byName
        : ($"未知步骤（{kind ?? name ?? "?"}）", $"unknown step ({kind ?? name ?? "?"})");
}
