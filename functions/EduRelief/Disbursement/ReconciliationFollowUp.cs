using EduRelief.Auth;
using EduRelief.Counties;
using EduRelief.Rectification;

namespace EduRelief.Disbursement;

/// <summary>
/// What a bank result leaves for people to sort out becomes rectification items: every reconciliation exception (for
/// the bureau's aid section, which holds the bank's files) and every entitlement the bank refused twice (for the
/// child's school, which checks the family's subsidy card with them). Each item's source key is the exception's id or
/// the entitlement's key, so handling the same result again opens nothing twice.
/// </summary>
public sealed partial class ReconciliationFollowUp(DisbursementService disbursement, RectificationStore rectification)
{
    public async Task<int> OpenItemsAsync(string cycleId, CancellationToken cancellationToken)
    {
        var opened = 0;
        foreach (var e in await disbursement.ListCycleExceptionsAsync(cycleId, cancellationToken))
        {
            var where = e.Sequence is { } sequence ? $"批次 {e.BatchId} 第 {sequence} 号" : $"批次 {e.BatchId}";
            await rectification.OpenAsync(
                new RectificationItemInput(cycleId, RectificationSources.Reconciliation, e.Id, $"对账异常（{Label(e.Kind)}）：{where}", null, Assignees.ForSection(Assignees.AidSection)),
                cancellationToken);
            opened++;
        }

        foreach (var f in await disbursement.RepeatedFailuresAsync(cycleId, cancellationToken))
        {
            var owner = Assignees.SchoolOrAidSection(f.SchoolCode);
            // The bank's reason goes to the school: not if it quotes an ID or card number (any long run of digits).
            var reason = f.LastReason is { } r && !LongNumber().IsMatch(r) ? $"银行最近一次退回原因：{r}" : null;
            var item = new RectificationItemInput(
                cycleId, RectificationSources.PaymentFailed, f.Key, $"资助资金代发{f.Attempts}次失败：与家庭核实一卡通账户", reason, owner,
                SchoolCode.IsValid(f.SchoolCode) ? f.SchoolCode : null, StudentName: f.Name);
            await rectification.OpenAsync(item.Validate().Count == 0 ? item : item with { Description = null, StudentName = null }, cancellationToken);
            opened++;
        }

        return opened;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"[0-9]{12,}")]
    private static partial System.Text.RegularExpressions.Regex LongNumber();

    private static string Label(string kind) => kind switch
    {
        ReconciliationKinds.NotInBatch => "银行返回了批次外的记录",
        ReconciliationKinds.AmountDiffers => "金额不符",
        ReconciliationKinds.NotReturned => "银行未返回结果",
        ReconciliationKinds.IdMismatch => "序号与身份证号不符",
        ReconciliationKinds.DuplicateRow => "重复的返回记录",
        ReconciliationKinds.AlreadyPaid => "已支付过",
        ReconciliationKinds.ContradictoryRows => "同一人的返回记录相互矛盾",
        _ => kind,
    };
}
