namespace EduRelief.Workflow;

/// <summary>All registered definitions, every version of each; new instances start on the latest.</summary>
public sealed class WorkflowRegistry
{
    private readonly Dictionary<(string, int), WorkflowDefinition> _definitions = [];
    private readonly Dictionary<string, WorkflowDefinition> _latest = [];

    public WorkflowRegistry(IEnumerable<WorkflowDefinition> definitions)
    {
        foreach (var d in definitions)
        {
            if (!_definitions.TryAdd((d.Name, d.Version), d))
            {
                throw new InvalidOperationException($"Workflow {d.Name} v{d.Version} is registered twice.");
            }

            if (!_latest.TryGetValue(d.Name, out var current) || current.Version < d.Version)
            {
                _latest[d.Name] = d;
            }
        }
    }

    public WorkflowDefinition? Latest(string name) => _latest.GetValueOrDefault(name);

    public WorkflowDefinition? Get(string name, int version) => _definitions.GetValueOrDefault((name, version));
}
