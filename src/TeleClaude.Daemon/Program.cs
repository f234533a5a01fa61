// `teleclaude` (the daemon and its tools): the command line is in CommandLine/TeleClaudeCli.cs; no command runs the daemon.
return await TeleClaude.Daemon.CommandLine.TeleClaudeCli.RunAsync(args);
