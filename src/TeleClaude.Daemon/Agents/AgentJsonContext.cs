using System.Text.Json.Serialization;

namespace TeleClaude.Daemon.Agents;

/// <summary>Source-generated JSON for the few internal shapes the agent integrations write.</summary>
[JsonSerializable(typeof(string[]))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
