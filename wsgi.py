from m100hub import create_app

app = create_app()
